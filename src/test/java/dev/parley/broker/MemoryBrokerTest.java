package dev.parley.broker;

import java.time.Duration;

/** The broker contract, in this process. */
class MemoryBrokerTest extends BrokerContract {
    @Override
    Broker newBroker(Delivery door) {
        Broker b = new MemoryBroker(HISTORY, Duration.ofHours(1).toNanos(), 100);
        b.start(door);
        return b;
    }
}
