"""The fetcher: retries with backoff, Retry-After, conditional GET, and the local sample transport."""
from __future__ import annotations

import pytest
import requests
import responses

from connectors.http import FetchError, Fetcher
from tests.connectors.helpers import MemoryCache

URL = "https://potsdam.helpto.de/api/v1/entries"


@pytest.fixture
def waits():
    return []


@pytest.fixture
def fetcher(waits):
    return Fetcher(MemoryCache(), sleep=waits.append, retries=3, backoff=1.0, max_wait=60)


@responses.activate
def test_server_errors_and_rate_limits_are_retried_honouring_retry_after(fetcher, waits):
    responses.get(URL, status=503, headers={"Retry-After": "7"})
    responses.get(URL, status=429, headers={"Retry-After": "2"})
    responses.get(URL, status=500)
    responses.get(URL, json={"entries": []})
    assert fetcher.get(URL).json() == {"entries": []}
    assert len(waits) == 3
    assert waits[0] >= 7 and waits[1] >= 2  # never sooner than the portal asked
    assert all(w <= 60 for w in waits)


@responses.activate
def test_connection_errors_are_retried_then_reported_with_the_url(fetcher, waits):
    responses.get(URL, body=requests.ConnectionError("refused"))
    with pytest.raises(FetchError, match=r"api/v1/entries\?page=1: ConnectionError after 4 attempts"):
        fetcher.get(URL, {"page": 1})
    # Exponential backoff with jitter: attempt n waits between half and all of 2**n seconds.
    assert [0.5 * 2 ** n <= w <= 2 ** n for n, w in enumerate(waits)] == [True, True, True]


@responses.activate
def test_a_retry_after_beyond_the_cap_fails_at_once(fetcher, waits):
    responses.get(URL, status=429, headers={"Retry-After": "3600"})
    with pytest.raises(FetchError, match="portal asks to retry after 3600 s") as info:
        fetcher.get(URL)
    assert waits == [] and info.value.retry_after == 3600  # for the scheduler to wait as long


@pytest.mark.parametrize("header", ["9" * 400, "²"])
@responses.activate
def test_a_retry_after_of_400_digits_or_a_superscript_is_no_crash(fetcher, waits, header):
    """400 nines were infinity, which crashed the scheduler's back-off; '²' passed str.isdigit (helper-60)."""
    import math

    responses.get(URL, status=503, headers={"Retry-After": header})
    with pytest.raises(FetchError) as info:
        fetcher.get(URL)
    assert info.value.retry_after is None or math.isfinite(info.value.retry_after)


@responses.activate
def test_a_retry_after_date_far_ahead_is_said_as_a_date_not_billions_of_seconds(fetcher, waits):
    responses.get(URL, status=503, headers={"Retry-After": "Fri, 01 Jan 2099 00:00:00 GMT"})
    with pytest.raises(FetchError, match=r"portal asks to retry after 2099-01-01 00:0\d UTC$"):
        fetcher.get(URL)


@responses.activate
def test_client_errors_are_not_retried(fetcher, waits):
    responses.get(URL, status=401)
    with pytest.raises(FetchError, match="HTTP 401"):
        fetcher.get(URL)
    assert waits == [] and len(responses.calls) == 1


@responses.activate
def test_conditional_get_returns_the_cached_body_on_304(fetcher):
    responses.get(URL, body=b'{"n": 1}', headers={"ETag": '"v1"', "Last-Modified": "Tue, 01 Mar 2016 10:00:00 GMT"})
    responses.get(URL, status=304)
    first, second = fetcher.get(URL), fetcher.get(URL)
    assert (first.status, first.not_modified) == (200, False)
    assert (second.status, second.not_modified, second.json()) == (304, True, {"n": 1})
    sent = responses.calls[1].request.headers
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == "Tue, 01 Mar 2016 10:00:00 GMT"
    assert "If-None-Match" not in responses.calls[0].request.headers
    assert fetcher.not_modified == 1


@responses.activate
def test_a_body_that_is_not_json_is_named():
    responses.get(URL, body=b"<html>Login</html>")
    with pytest.raises(FetchError, match="api/v1/entries: response is not valid JSON"):
        Fetcher().get(URL).json()


@responses.activate
def test_a_body_nested_too_deep_to_read_is_named_not_a_recursion_error():
    """(helper-43) 50,000 nested arrays in one record: Python's reader raised RecursionError, which no
    caller takes for a page it cannot read."""
    responses.get(URL, body=b'{"data": [' + b"[" * 50_000 + b"]" * 50_000 + b"]}")
    with pytest.raises(FetchError, match="api/v1/entries: response is not valid JSON .arrays or objects nested deeper"):
        Fetcher().get(URL).json()



@responses.activate
def test_a_page_is_read_as_json_reads_it_whatever_it_holds():
    """Pages are parsed by orjson where it reads them the same: a NaN stays a NaN the record hash tells
    from null, an id beyond 64 bits stays an integer, a UTF-16 page and a byte order mark are read."""
    from connectors.http import NonFinite

    responses.get(URL, body=b'{"entries": [{"id": 123456789012345678901234, "lat": NaN, "lon": -Infinity}]}')
    responses.get(URL + "?utf16", body='{"entries": [{"titel": "Fahrr\u00e4der"}]}'.encode("utf-16"))
    responses.get(URL + "?bom", body='\ufeff{"entries": [{"titel": "Küche"}]}'.encode("utf-8"))
    [entry] = Fetcher().get(URL).json()["entries"]
    assert entry["id"] == 123456789012345678901234 and type(entry["id"]) is int
    assert type(entry["lat"]) is NonFinite and entry["lat"] != entry["lat"] and entry["lon"] == float("-inf")
    assert Fetcher().get(URL + "?utf16").json() == {"entries": [{"titel": "Fahrräder"}]}
    assert Fetcher().get(URL + "?bom").json() == {"entries": [{"titel": "Küche"}]}

def test_local_samples_map_the_query_to_a_file_and_validate_by_mtime(tmp_path):
    page = tmp_path / "api/v1/entries/page=2&per_page=100"
    page.parent.mkdir(parents=True)
    page.write_bytes(b'{"entries": []}')
    fetcher = Fetcher(MemoryCache())
    base = str(tmp_path / "api/v1/entries")
    assert fetcher.get(base, {"page": 2, "per_page": 100}).body == b'{"entries": []}'
    again = fetcher.get(base, {"page": 2, "per_page": 100})
    assert again.not_modified and again.body == b'{"entries": []}'
    with pytest.raises(FetchError, match="no such file .*page=3&per_page=100"):
        fetcher.get(base, {"page": 3, "per_page": 100})


def test_an_address_requests_cannot_use_is_named_as_such_not_as_a_redirect():
    """(probe helper-46) A host that is no IDNA name was reported as 'redirected to an address that is not
    http(s)', though nothing had redirected."""
    with pytest.raises(FetchError, match=r"not an address the hub can fetch \(or one it was redirected to is not\)"):
        Fetcher().get("https://\u202eevil.org/feed")
