"""Supvisors' event interface: a subscriber to an agent's event publication.

As Supvisors 0.1's ``supvisors.client.subscriber``: the agent publishes on a
ZeroMQ PUB socket bound to ``tcp://ADDRESS:event_port`` (ADDRESS its entry of
``address_list``); each message is two frames, the topic and a JSON object.
Needs python3-zmq (Debian's package) and nothing else::

    import logging, zmq
    from supvisors.client.subscriber import SupvisorsEventInterface

    class Printer(SupvisorsEventInterface):
        def on_process_status(self, data):
            print(data['application_name'], data['process_name'], data['statename'])

    interface = Printer(zmq.Context.instance(), 60002, logging.getLogger())
    interface.subscribe_process_status()
    interface.start()       # a thread calls on_* for each message
    ...
    interface.stop()
    interface.join()
"""

import json
import threading

import zmq

# The topics (the first frame of each message).
SUPVISORS_STATUS_HEADER = u'supvisors'
ADDRESS_STATUS_HEADER = u'address'
APPLICATION_STATUS_HEADER = u'application'
PROCESS_STATUS_HEADER = u'process'
PROCESS_EVENT_HEADER = u'event'
HOST_STATISTICS_HEADER = u'hstats'
PROCESS_STATISTICS_HEADER = u'pstats'


class EventSubscriber(object):
    """A ZeroMQ SUB socket connected to one agent's event_port.

    A subscription is a topic prefix, as in ZeroMQ: until one is made, no
    message comes.
    """

    def __init__(self, zmq_context, port, logger, address='127.0.0.1'):
        """Connect to tcp://address:port (Supvisors 0.1 has no address: its
        agents bind 127.0.0.1; give the agent's address_list entry)."""
        self.logger = logger
        self.socket = zmq_context.socket(zmq.SUB)
        # Do not wait for unsent subscriptions when closing.
        self.socket.setsockopt(zmq.LINGER, 0)
        url = 'tcp://{}:{}'.format(address if ':' not in address else '[%s]' % address, port)
        if ':' in address:
            self.socket.setsockopt(zmq.IPV6, 1)
        self.logger.info('connecting EventSubscriber to Supvisors at %s', url)
        self.socket.connect(url)

    def subscribe_all(self):
        """Subscribe to every topic."""
        self.socket.setsockopt(zmq.SUBSCRIBE, b'')

    def subscribe_supvisors_status(self):
        self.subscribe(SUPVISORS_STATUS_HEADER)

    def subscribe_address_status(self):
        self.subscribe(ADDRESS_STATUS_HEADER)

    def subscribe_application_status(self):
        self.subscribe(APPLICATION_STATUS_HEADER)

    def subscribe_process_status(self):
        self.subscribe(PROCESS_STATUS_HEADER)

    def subscribe_process_event(self):
        self.subscribe(PROCESS_EVENT_HEADER)

    def subscribe_host_statistics(self):
        self.subscribe(HOST_STATISTICS_HEADER)

    def subscribe_process_statistics(self):
        self.subscribe(PROCESS_STATISTICS_HEADER)

    def subscribe(self, code):
        """Subscribe to the topics that start with code."""
        self.socket.setsockopt(zmq.SUBSCRIBE, code.encode('utf-8'))

    def unsubscribe_all(self):
        self.socket.setsockopt(zmq.UNSUBSCRIBE, b'')

    def unsubscribe_supvisors_status(self):
        self.unsubscribe(SUPVISORS_STATUS_HEADER)

    def unsubscribe_address_status(self):
        self.unsubscribe(ADDRESS_STATUS_HEADER)

    def unsubscribe_application_status(self):
        self.unsubscribe(APPLICATION_STATUS_HEADER)

    def unsubscribe_process_status(self):
        self.unsubscribe(PROCESS_STATUS_HEADER)

    def unsubscribe_process_event(self):
        self.unsubscribe(PROCESS_EVENT_HEADER)

    def unsubscribe_host_statistics(self):
        self.unsubscribe(HOST_STATISTICS_HEADER)

    def unsubscribe_process_statistics(self):
        self.unsubscribe(PROCESS_STATISTICS_HEADER)

    def unsubscribe(self, code):
        """Cancel one subscription to code."""
        self.socket.setsockopt(zmq.UNSUBSCRIBE, code.encode('utf-8'))

    def receive(self):
        """Wait for the next message: (topic, payload as a dict).

        A message that is not two frames, or whose payload is not a JSON
        object, raises ValueError."""
        frames = self.socket.recv_multipart()
        if len(frames) != 2:
            raise ValueError('expected 2 frames (topic, JSON), got %d' % len(frames))
        data = json.loads(frames[1].decode('utf-8'))
        if not isinstance(data, dict):
            raise ValueError('the payload of %r is not a JSON object' % frames[0])
        return frames[0].decode('utf-8'), data

    def close(self):
        self.socket.close()


class SupvisorsEventInterface(threading.Thread):
    """A thread that receives an agent's events and calls the on_* method of
    their topic; subclass it and override the ones you need (the defaults
    log a warning). subscribe_* and unsubscribe_* are EventSubscriber's.
    """

    def __init__(self, zmq_context, port, logger, address='127.0.0.1'):
        threading.Thread.__init__(self, daemon=True)
        self.logger = logger
        self.subscriber = EventSubscriber(zmq_context, port, logger, address)
        self.stop_event = threading.Event()
        self._lock = threading.Lock()  # the socket is the thread's once it runs
        self._handlers = {
            SUPVISORS_STATUS_HEADER: self.on_supvisors_status,
            ADDRESS_STATUS_HEADER: self.on_address_status,
            APPLICATION_STATUS_HEADER: self.on_application_status,
            PROCESS_STATUS_HEADER: self.on_process_status,
            PROCESS_EVENT_HEADER: self.on_process_event,
            HOST_STATISTICS_HEADER: self.on_host_statistics,
            PROCESS_STATISTICS_HEADER: self.on_process_statistics,
        }

    def __getattr__(self, name):
        # subscribe_* and unsubscribe_* go to the subscriber.
        if name.startswith(('subscribe', 'unsubscribe')):
            method = getattr(self.__dict__['subscriber'], name)

            def locked(*args):
                with self._lock:
                    return method(*args)
            return locked
        raise AttributeError(name)

    def stop(self):
        """Ask the thread to end (within half a second)."""
        self.stop_event.set()

    def run(self):
        poller = zmq.Poller()
        poller.register(self.subscriber.socket, zmq.POLLIN)
        self.logger.info('entering main loop')
        try:
            while not self.stop_event.is_set():
                with self._lock:
                    ready = dict(poller.poll(500))
                    if ready.get(self.subscriber.socket) != zmq.POLLIN:
                        continue
                    try:
                        topic, data = self.subscriber.receive()
                    except ValueError as exc:
                        self.logger.error('message dropped: %s', exc)
                        continue
                handler = self._handlers.get(topic)
                if handler is None:
                    self.logger.warning('unexpected topic: %s', topic)
                else:
                    handler(data)
        finally:
            poller.unregister(self.subscriber.socket)
            self.subscriber.close()
            self.logger.info('exiting main loop')

    def on_supvisors_status(self, data):
        """data: statecode, statename (get_supvisors_state)."""
        self.logger.warning('on_supvisors_status not implemented: %s', data)

    def on_address_status(self, data):
        """data: get_address_info's keys."""
        self.logger.warning('on_address_status not implemented: %s', data)

    def on_application_status(self, data):
        """data: get_application_info's keys."""
        self.logger.warning('on_application_status not implemented: %s', data)

    def on_process_status(self, data):
        """data: a get_process_info entry."""
        self.logger.warning('on_process_status not implemented: %s', data)

    def on_process_event(self, data):
        """data: a local process event (name, group, state, expected, now,
        pid, address, spawnerr)."""
        self.logger.warning('on_process_event not implemented: %s', data)

    def on_host_statistics(self, data):
        """data: get_host_statistics' reply (latest sample)."""
        self.logger.warning('on_host_statistics not implemented: %s', data)

    def on_process_statistics(self, data):
        """data: a get_process_statistics entry (latest sample)."""
        self.logger.warning('on_process_statistics not implemented: %s', data)
