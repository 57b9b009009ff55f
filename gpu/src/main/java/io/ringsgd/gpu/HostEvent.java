package io.ringsgd.gpu;

/**
 * A {@link DeviceEvent} of the {@link HostDevice}: a generation counter. Recording takes the next generation and
 * enqueues "generation g reached" on the stream; waiting means waiting until the generation recorded at the time of
 * the call has been reached, which is exactly CUDA's "most recent record" rule. Records of one event are expected on
 * one stream at a time, where they complete in order.
 */
final class HostEvent implements DeviceEvent {
    private final HostDevice device;
    private long recorded;
    private long reached;
    private boolean closed;

    HostEvent(HostDevice device) {
        this.device = device;
    }

    HostDevice owner() {
        return device;
    }

    @Override
    public void record(DeviceStream stream) {
        HostStream s = device.stream(stream);
        long g;
        synchronized (this) {
            checkOpen();
            g = ++recorded;
        }
        if (s.inline()) {
            reach(g);
        } else {
            s.submit(() -> reach(g));
        }
    }

    private synchronized void reach(long g) {
        if (g > reached) {
            reached = g;
            notifyAll();
        }
    }

    /** The generation of the most recent record (0: never recorded). */
    synchronized long generation() {
        checkOpen();
        return recorded;
    }

    @Override
    public synchronized boolean isComplete() {
        checkOpen();
        return reached >= recorded;
    }

    @Override
    public void synchronize() {
        awaitGeneration(generation());
    }

    /** Blocks until generation {@code g} has been reached (uninterruptibly; the interrupt flag is kept). */
    synchronized void awaitGeneration(long g) {
        boolean interrupted = false;
        while (reached < g) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this event was closed");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
