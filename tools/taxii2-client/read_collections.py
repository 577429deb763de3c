"""Reads every collection of a TAXII 2.1 server page by page with the OASIS client (taxii2client.v21)
and prints one JSON line per collection: its id, title, the pages read, the objects read and their
distinct ids. server/taxii_test.go runs it against the real server.

usage: read_collections.py DISCOVERY_URL PER_REQUEST [TOKEN]
"""
import json
import sys

import requests
from taxii2client.v21 import Server, as_pages

MAX_PAGES = 10000  # a server whose paging never ends fails here instead of running for ever


class BearerAuth(requests.auth.AuthBase):
    """The service's tokens are bearer tokens (taxii2client's TokenAuth sends "Token ...")."""

    def __init__(self, token):
        self.token = token

    def __call__(self, r):
        r.headers["Authorization"] = "Bearer " + self.token
        return r


def main():
    url, per_request = sys.argv[1], int(sys.argv[2])
    auth = BearerAuth(sys.argv[3]) if len(sys.argv) > 3 else None
    server = Server(url, auth=auth)
    for root in server.api_roots:
        for collection in root.collections:
            pages, ids, count = 0, [], 0
            for envelope in as_pages(collection.get_objects, per_request=per_request):
                pages += 1
                if pages > MAX_PAGES:
                    sys.exit("paging did not end after %d pages" % MAX_PAGES)
                for obj in envelope.get("objects", []):
                    count += 1
                    ids.append(obj["id"])
            print(json.dumps({"api_root": root.url, "id": collection.id, "title": collection.title,
                              "can_read": collection.can_read, "pages": pages, "objects": count,
                              "distinct": len(set(ids)), "ids": ids}))


if __name__ == "__main__":
    main()
