"""Clients of the agents' event publication (:mod:`supvisors.client.subscriber`)."""
