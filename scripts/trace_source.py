"""Shared by the trace converters (scripts/convert_*.py)."""
import hashlib


def git_blob_id(data):
    """The git blob id of a source file's bytes, recorded in each converted trace."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
