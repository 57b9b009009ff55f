package io.ringsgd.collectives.transport;

/** What every transport's {@link Transport#awaitAny} needs to scan its argument. Allocates nothing. */
public final class Messages {
    private Messages() {
    }

    /**
     * Index of the first non-null entry of {@code messages[0..count)}: the one whose peer a stall report names.
     *
     * @throws IllegalArgumentException if every entry is null or {@code count} is out of range
     */
    public static int first(Message[] messages, int count) {
        if (count < 0 || count > messages.length) {
            throw new IllegalArgumentException("count " + count + " is outside the array of " + messages.length
                    + " messages");
        }
        for (int i = 0; i < count; i++) {
            if (messages[i] != null) {
                return i;
            }
        }
        throw new IllegalArgumentException("awaitAny needs at least one message, got " + count + " null entries");
    }

    /** Index of the first completed entry of {@code messages[0..count)}, or -1. */
    public static int firstDone(Message[] messages, int count) {
        for (int i = 0; i < count; i++) {
            Message m = messages[i];
            if (m != null && m.isDone()) {
                return i;
            }
        }
        return -1;
    }

    /** Throws the failure {@code m} completed with, if any. */
    public static void rethrow(Message m) {
        io.ringsgd.collectives.CollectiveException e = m.error();
        if (e != null) {
            throw e;
        }
    }
}
