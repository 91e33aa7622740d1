"""gunicorn settings for the comparison server of bench/audited_http_reads.py: each worker, as it starts, replaces
the audit write of reads with a no-op. Only a benchmark loads this file; nothing in the app can turn auditing off."""


def post_fork(server, worker):
    import audit

    audit.record_durably = lambda *args, **kwargs: None
