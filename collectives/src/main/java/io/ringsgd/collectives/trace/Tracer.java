package io.ringsgd.collectives.trace;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A timeline of the ranks of one process: spans (rank, name, thread, start, end, two numeric arguments) recorded into
 * one preallocated array, so that tracing costs an array write per span and nothing is allocated per message; written out in the
 * Chrome trace-event format (Perfetto, {@code chrome://tracing}), as Horovod's timeline is. {@link #OFF} records
 * nothing and is what every communicator has unless a tracer is configured. Any thread may record; spans beyond the
 * capacity are counted and dropped.
 */
public final class Tracer {
    /** The tracer that records nothing. */
    public static final Tracer OFF = new Tracer(0);
    private static final int FIELDS = 7;

    private final long[] events;
    private final int capacity;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final Map<String, Integer> nameIds = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private final List<String[]> argNames = new ArrayList<>();
    private final List<String> threadNames = new ArrayList<>();
    private final ThreadLocal<int[]> threadId = ThreadLocal.withInitial(this::newThread);
    private volatile long originNanos = System.nanoTime();

    private Tracer(int capacity) {
        this.capacity = capacity;
        this.events = new long[capacity * FIELDS];
    }

    /** A tracer that keeps up to {@code capacity} spans (56 bytes each). */
    public static Tracer withCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a tracer needs room for at least one span, got " + capacity);
        }
        return new Tracer(capacity);
    }

    /** True when spans are recorded: callers skip the clock reads otherwise. */
    public boolean on() {
        return capacity > 0;
    }

    /**
     * The id of a span name whose two arguments are called {@code arg0} and {@code arg1} (null: not shown). Register
     * names once, outside hot loops.
     */
    public synchronized int name(String name, String arg0, String arg1) {
        Integer id = nameIds.get(name);
        if (id == null) {
            id = names.size();
            names.add(name);
            argNames.add(new String[] {arg0, arg1});
            nameIds.put(name, id);
        }
        return id;
    }

    /** Sets time zero of the timeline (the ranks call this right after a barrier, so their timelines line up). */
    public void origin(long nanos) {
        this.originNanos = nanos;
    }

    /**
     * Records a span of {@code rank}'s calling thread from {@code startNanos} to {@code endNanos}
     * ({@link System#nanoTime}).
     */
    public void span(int rank, int name, long startNanos, long endNanos, long arg0, long arg1) {
        if (capacity == 0) {
            return;
        }
        int i = next.getAndIncrement();
        if (i >= capacity) {
            dropped.incrementAndGet();
            return;
        }
        int at = i * FIELDS;
        events[at] = name;
        events[at + 1] = threadId.get()[0];
        events[at + 2] = startNanos;
        events[at + 3] = endNanos;
        events[at + 4] = arg0;
        events[at + 5] = arg1;
        events[at + 6] = rank;
    }

    /** Spans recorded so far (at most the capacity). */
    public int size() {
        return Math.min(next.get(), capacity);
    }

    /** Spans that did not fit. */
    public int dropped() {
        return dropped.get();
    }

    private synchronized int[] newThread() {
        threadNames.add(Thread.currentThread().getName());
        return new int[] {threadNames.size() - 1};
    }

    /**
     * The events of this process's ranks as Chrome trace-event JSON objects separated by commas (no enclosing
     * array): {@code pid} is the rank, {@code tid} the thread, times in microseconds from the origin; each rank gets
     * a process-name metadata event {@code "rank R " + label}.
     */
    public synchronized byte[] toJsonEvents(String label) {
        StringBuilder sb = new StringBuilder();
        int n = size();
        java.util.TreeSet<Long> ranks = new java.util.TreeSet<>();
        java.util.Set<Long> threadsOfRanks = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            int at = i * FIELDS;
            ranks.add(events[at + 6]);
            threadsOfRanks.add(events[at + 6] << 32 | events[at + 1]);
        }
        for (long r : ranks) {
            sb.append(sb.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"name\":\"process_name\","
                    + "\"ph\":\"M\",\"pid\":%d,\"args\":{\"name\":\"rank %d %s\"}},{\"name\":\"process_sort_index\","
                    + "\"ph\":\"M\",\"pid\":%d,\"args\":{\"sort_index\":%d}}", r, r, escape(label), r, r));
        }
        for (long rt : threadsOfRanks) {
            sb.append(String.format(Locale.ROOT, ",{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,"
                    + "\"args\":{\"name\":\"%s\"}}", rt >>> 32, rt & 0xffffffffL,
                    escape(threadNames.get((int) (rt & 0xffffffffL)))));
        }
        for (int i = 0; i < n; i++) {
            int at = i * FIELDS;
            int name = (int) events[at];
            String[] an = argNames.get(name);
            sb.append(sb.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"name\":\"%s\",\"ph\":\"X\","
                    + "\"pid\":%d,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f", escape(names.get(name)), events[at + 6],
                    events[at + 1], (events[at + 2] - originNanos) / 1e3,
                    Math.max(0, events[at + 3] - events[at + 2]) / 1e3));
            if (an[0] != null || an[1] != null) {
                sb.append(",\"args\":{");
                if (an[0] != null) {
                    sb.append('"').append(escape(an[0])).append("\":").append(events[at + 4]);
                }
                if (an[1] != null) {
                    sb.append(an[0] != null ? "," : "").append('"').append(escape(an[1])).append("\":")
                            .append(events[at + 5]);
                }
                sb.append('}');
            }
            sb.append('}');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
