"""A body clerk's browser, stripped down: log in over HTTP and file progress reports.

Run as its own process by tests/test_concurrency.py, so several clients post at the same
moment. Standard library only; it knows nothing of Django.

    python tests/reporting/report_client.py \
        BASE_URL USERNAME PASSWORD ASSIGNMENT CLIENT COUNT AS_OF START_AT
"""

import http.cookiejar
import re
import sys
import time
import urllib.parse
import urllib.request
import uuid

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main(base, username, password, assignment, client, count, as_of, start_at):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token(login), "username": username, "password": password}
    ).encode()
    landed = opener.open(f"{base}/accounts/login/", data, timeout=30)
    assert landed.geturl().endswith("/work/"), landed.geturl()
    url = f"{base}/assignments/{assignment}/report/"
    csrf = token(opener.open(url, timeout=30).read().decode())
    time.sleep(max(0.0, float(start_at) - time.time()))
    for n in range(int(count)):
        percent = int(client) * int(count) + n
        body, content_type = multipart(
            {
                "csrfmiddlewaretoken": csrf,
                "status": "in_progress",
                "percent": str(percent),
                "text": f"客户端{client}第{n}次填报",
                "as_of": as_of,
            },
            {"files": (f"佐证{client}-{n}.pdf", PDF)},
        )
        request = urllib.request.Request(url, body, {"Content-Type": content_type})
        response = opener.open(request, timeout=60)
        # Success redirects to the assignment's page; a form with errors would stay on url.
        assert f"/assignments/{assignment}/" == urllib.parse.urlparse(response.geturl()).path
    print("ok", client)


if __name__ == "__main__":
    main(*sys.argv[1:])
