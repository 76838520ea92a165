"""Python client helpers for supvisors (the Go re-implementation of Supvisors).

Standard library only. The module of interest is :mod:`supvisors.rpcrequests`:

    import os
    from supvisors.rpcrequests import getRPCInterface

    proxy = getRPCInterface('10.0.0.2', os.environ)
    proxy.supervisor.getState()
    proxy.supvisors.get_supvisors_state()
"""

__version__ = '0.1'
