"""Fixtures for the plan-parser tests. Pure Python: nothing here needs Django."""

import pytest
from planhelp import GAZETTEER, REVIEW, SEED

import plan


@pytest.fixture(scope="session")
def seed_text():
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def gazetteer():
    return plan.load_gazetteer(GAZETTEER)


@pytest.fixture(scope="session")
def seed(seed_text, gazetteer):
    return plan.parse(seed_text, gazetteer=gazetteer, source_name=SEED.name)


@pytest.fixture(scope="session")
def reviewed(seed):
    return plan.apply_review(seed, plan.load_review(REVIEW))
