"""End-to-end test of supvisors.client.subscriber against a real agent.

Not a unit test (discovery skips it): integration/python_events_test.go runs
it with the agent's SUPERVISOR_SERVER_URL, SUPERVISOR_USERNAME,
SUPERVISOR_PASSWORD, SUPVISORS_EVENT_ADDRESS and SUPVISORS_EVENT_PORT, and a
program named web that it may stop and start, sampled every second
(stats_periods=1).
"""

import logging
import os
import queue
import sys
import time
import unittest

import zmq

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

from supvisors.client.subscriber import SupvisorsEventInterface  # noqa: E402
from supvisors.rpcrequests import getRPCInterface  # noqa: E402


class Recorder(SupvisorsEventInterface):
    """Queues every (topic, data) its callbacks get."""

    def __init__(self, *args):
        SupvisorsEventInterface.__init__(self, *args)
        self.received = queue.Queue()

    def on_supvisors_status(self, data):
        self.received.put(('supvisors', data))

    def on_address_status(self, data):
        self.received.put(('address', data))

    def on_application_status(self, data):
        self.received.put(('application', data))

    def on_process_status(self, data):
        self.received.put(('process', data))

    def on_process_event(self, data):
        self.received.put(('event', data))

    def on_host_statistics(self, data):
        self.received.put(('hstats', data))

    def on_process_statistics(self, data):
        self.received.put(('pstats', data))


class EventInterfaceTest(unittest.TestCase):

    def setUp(self):
        self.proxy = getRPCInterface(None, os.environ)
        self.context = zmq.Context()
        self.interfaces = []

    def tearDown(self):
        for i in self.interfaces:
            i.stop()
            i.join(5)
            self.assertFalse(i.is_alive(), 'the interface thread did not stop')
        self.context.term()

    def interface(self, *subscriptions):
        i = Recorder(self.context, int(os.environ['SUPVISORS_EVENT_PORT']), logging.getLogger('test'),
                     os.environ['SUPVISORS_EVENT_ADDRESS'])
        for s in subscriptions:
            getattr(i, 'subscribe_' + s)()
        i.start()
        self.interfaces.append(i)
        return i

    def cycle_until(self, interfaces, want, complete=lambda got: True):
        """Stop and start web until every interface got a message for which
        want(topic, data) holds, and complete(what it got) holds (a
        subscription reaches the agent some time after it is made: ZeroMQ's
        slow joiner); returns what each got."""
        got = [[] for _ in interfaces]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            self.proxy.supervisor.stopProcess('web')
            self.proxy.supervisor.startProcess('web')
            end = time.monotonic() + 1
            while time.monotonic() < end:
                for n, i in enumerate(interfaces):
                    try:
                        got[n].append(i.received.get(timeout=0.05))
                    except queue.Empty:
                        pass
                if all(any(want(t, d) for t, d in g) and complete(g) for g in got):
                    return got
        self.fail('no matching message within 20s: %r' % got)

    def test_callbacks_by_topic(self):
        events = self.interface('process_event')
        statuses = self.interface('process_status', 'application_status')
        got_events, got_statuses = self.cycle_until(
            [events, statuses],
            lambda t, d: (t == 'event' and d['statename'] == 'RUNNING') or
                         (t == 'process' and d['statename'] == 'RUNNING'))
        running = [d for t, d in got_events if d['statename'] == 'RUNNING']
        self.assertTrue(running, got_events)
        for key in ('name', 'group', 'state', 'expected', 'now', 'pid', 'address', 'spawnerr'):
            self.assertIn(key, running[0])
        self.assertEqual(running[0]['name'], 'web')
        self.assertEqual(running[0]['state'], 20)
        self.assertEqual(running[0]['address'], os.environ['SUPVISORS_EVENT_ADDRESS'])
        self.assertEqual({t for t, _ in got_events}, {'event'})
        self.assertLessEqual({t for t, _ in got_statuses}, {'process', 'application'})
        process = [d for t, d in got_statuses if t == 'process' and d['statename'] == 'RUNNING'][0]
        self.assertEqual(process['addresses'], [os.environ['SUPVISORS_EVENT_ADDRESS']])
        for key in ('application_name', 'process_name', 'statecode', 'statename', 'expected_exit',
                    'last_event_time', 'addresses'):
            self.assertIn(key, process)

    def test_subscribe_all(self):
        everything = self.interface('all')
        # Every topic, whatever the order of a round's messages.
        got, = self.cycle_until([everything], lambda t, d: t == 'application' and d['statename'] == 'RUNNING',
                                lambda g: {'event', 'process', 'application'} <= {t for t, _ in g})
        self.assertLessEqual({'event', 'process', 'application'}, {t for t, _ in got})

    def test_statistics(self):
        stats = self.interface('host_statistics', 'process_statistics')
        seen = {}
        deadline = time.monotonic() + 20
        while len(seen) < 2 and time.monotonic() < deadline:
            try:
                topic, data = stats.received.get(timeout=0.5)
            except queue.Empty:
                continue
            seen.setdefault(topic, data)
        self.assertEqual(set(seen), {'hstats', 'pstats'}, 'statistics within 20s')
        self.assertEqual(seen['hstats']['address_name'], os.environ['SUPVISORS_EVENT_ADDRESS'])
        self.assertIn('cpu', seen['hstats'])
        self.assertEqual(seen['pstats']['namespec'], 'web')


if __name__ == '__main__':
    unittest.main(verbosity=2)
