"""What every layer uses: settings, public errors, metrics, authentication, and the state gateway replicas share
(the access log store, the inbox event bus; Redis or in-process)."""
