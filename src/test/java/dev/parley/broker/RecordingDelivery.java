package dev.parley.broker;

import java.util.ArrayList;
import java.util.List;

/** A door that records what a broker hands it, in order, and accepts every message. */
final class RecordingDelivery implements Delivery {
    record Presence(String room, boolean joined, String name, int count) {
    }

    private final List<Message> messages = new ArrayList<>();
    private final List<Presence> presence = new ArrayList<>();
    private final List<String> resets = new ArrayList<>();

    @Override
    public synchronized Result deliver(Message m) {
        messages.add(m);
        return Result.of(Kind.DELIVERED, m.seq());
    }

    @Override
    public synchronized Result presence(String room, boolean joined, String name, int count) {
        presence.add(new Presence(room, joined, name, count));
        return Result.of(Kind.DELIVERED, 0);
    }

    @Override
    public synchronized Result typing(String room, String name) {
        presence.add(new Presence(room, true, "typing:" + name, 0));
        return Result.of(Kind.DELIVERED, 0);
    }

    @Override
    public synchronized void reset(String room) {
        resets.add(room);
    }

    @Override
    public synchronized long position(String room, String epoch) {
        return messages.stream().filter(m -> m.room().equals(room) && m.epoch().equals(epoch))
                .mapToLong(Message::seq).max().orElse(NO_ROOM);
    }

    synchronized List<Message> messages(String room) {
        return messages.stream().filter(m -> m.room().equals(room)).toList();
    }

    synchronized List<Presence> presence(String room) {
        return presence.stream().filter(p -> p.room().equals(room)).toList();
    }

    synchronized List<String> resets() {
        return new ArrayList<>(resets);
    }
}
