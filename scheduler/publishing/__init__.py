"""Publishing: claim due posts, call adapters, record every outcome, reconcile.

The contract is at most once: a post is claimed atomically and its attempt is committed
before the request leaves; a post whose attempt may have reached the platform becomes
`uncertain` and is never resent automatically.
"""
