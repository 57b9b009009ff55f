package io.ringsgd.collectives.tcp;

import org.slf4j.Logger;

/**
 * The warnings about refused connections, at most {@value #BURST} per {@value #WINDOW_SECONDS} seconds: a hostile or
 * broken client that connects thousands of times must not flood the job's log. Each window that suppressed some says
 * how many when the next warning gets through.
 */
final class RefusalLog {
    static final int BURST = 10;
    static final int WINDOW_SECONDS = 10;

    private final Logger log;
    private long windowStart = Long.MIN_VALUE;
    private int inWindow;
    private long suppressed;

    RefusalLog(Logger log) {
        this.log = log;
    }

    /** Logs {@code format} with {@code args} as a warning unless this window's share is used up. */
    synchronized void warn(String format, Object... args) {
        long now = System.nanoTime();
        if (windowStart == Long.MIN_VALUE || now - windowStart >= WINDOW_SECONDS * 1_000_000_000L) {
            windowStart = now;
            inWindow = 0;
        }
        if (inWindow >= BURST) {
            suppressed++;
            return;
        }
        inWindow++;
        if (suppressed > 0) {
            log.warn("{} more refused connections were not logged (at most {} warnings per {} s)", suppressed, BURST,
                    WINDOW_SECONDS);
            suppressed = 0;
        }
        log.warn(format, args);
    }

    /** Warnings dropped since the last one logged. */
    synchronized long suppressed() {
        return suppressed;
    }
}
