package dev.parley.bench.load;

/**
 * How complete a rooms run was. Connection i is member {@code i mod M} of room {@code i / M};
 * every member that joined, the room's sender included (its own copy counts), should receive
 * each message its room's sender sent in the measured window.
 *
 * <p>{@code missing} is added up member by member, so a duplicate at one member cannot hide a
 * loss at another; {@code received} is the plain sum (duplicates included, see the reorders
 * figure). A member that never joined is not expected to receive anything: it is counted as a
 * join failure instead.
 *
 * @param expected      deliveries expected: per room, messages sent in the window × members joined
 * @param received      in-window deliveries received by members
 * @param missing       deliveries a member should have had and did not
 * @param membersShort  members that missed at least one
 * @param roomsShort    rooms with at least one such member
 */
record RoomDeliveries(long expected, long received, long missing, int membersShort, int roomsShort) {

    /**
     * @param members      M, connections per room
     * @param sentInWindow per room, messages its sender sent in the window (0 if it has no sender)
     * @param joined       per connection, whether it joined its room
     * @param received     per connection, in-window deliveries it received
     */
    static RoomDeliveries count(int members, long[] sentInWindow, boolean[] joined, long[] received) {
        if (joined.length != received.length || joined.length != (long) sentInWindow.length * members) {
            throw new IllegalArgumentException("need rooms × members connections");
        }
        long expected = 0;
        long got = 0;
        long missing = 0;
        int membersShort = 0;
        int roomsShort = 0;
        for (int room = 0; room < sentInWindow.length; room++) {
            boolean short_ = false;
            for (int i = room * members; i < (room + 1) * members; i++) {
                if (!joined[i]) {
                    continue;
                }
                expected += sentInWindow[room];
                got += received[i];
                long lost = Math.max(0, sentInWindow[room] - received[i]);
                if (lost > 0) {
                    missing += lost;
                    membersShort++;
                    short_ = true;
                }
            }
            if (short_) {
                roomsShort++;
            }
        }
        return new RoomDeliveries(expected, got, missing, membersShort, roomsShort);
    }

    /** Share of the expected deliveries that arrived, in per cent; 0 when nothing was expected. */
    double deliveredPct() {
        return expected == 0 ? 0 : 100.0 * (expected - missing) / expected;
    }
}
