package io.ringsgd.gpu;

import java.util.ArrayDeque;

/**
 * A {@link DeviceStream} of the {@link HostDevice}. Inline (the default device): operations run on the calling thread
 * when enqueued, so every wait is already satisfied. Asynchronous: one worker thread per stream runs the operations in
 * order, which makes the host device behave like a GPU (enqueue returns at once; only events order two streams) and
 * lets tests catch a missing wait.
 */
final class HostStream implements DeviceStream {
    private final HostDevice device;
    private final boolean isDefault;
    private final Thread worker;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private long submitted;
    private long completed;
    private Throwable failure;
    private boolean closed;

    HostStream(HostDevice device, boolean asynchronous, boolean isDefault, String name) {
        this.device = device;
        this.isDefault = isDefault;
        if (asynchronous) {
            worker = new Thread(this::work, name);
            worker.setDaemon(true);
            worker.start();
        } else {
            worker = null;
        }
    }

    @Override
    public Device device() {
        return device;
    }

    HostDevice owner() {
        return device;
    }

    /** True when operations run on the caller's thread. */
    boolean inline() {
        return worker == null;
    }

    /** Enqueues {@code op} (asynchronous streams only). */
    synchronized void submit(Runnable op) {
        if (closed) {
            throw new IllegalStateException("this stream was closed");
        }
        queue.addLast(op);
        submitted++;
        notifyAll();
    }

    private void work() {
        while (true) {
            Runnable op;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // Only close() ends the worker; an interrupt must not lose queued work.
                    }
                }
                if (queue.isEmpty()) {
                    return;
                }
                op = queue.pollFirst();
            }
            try {
                op.run();
            } catch (Throwable t) {
                synchronized (this) {
                    if (failure == null) {
                        failure = t;
                    }
                }
            }
            synchronized (this) {
                completed++;
                notifyAll();
            }
        }
    }

    @Override
    public void synchronize() {
        if (worker == null) {
            return;
        }
        boolean interrupted = false;
        Throwable f;
        synchronized (this) {
            long target = submitted;
            while (completed < target) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            f = failure;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (f != null) {
            throw new DeviceException("an operation on a host stream failed: " + f, f);
        }
    }

    @Override
    public void waitFor(DeviceEvent event) {
        HostEvent e = device.event(event);
        long g = e.generation();
        if (g == 0) {
            return;
        }
        if (worker == null) {
            e.awaitGeneration(g);
        } else {
            submit(() -> e.awaitGeneration(g));
        }
    }

    @Override
    public void close() {
        if (!isDefault) {
            stop();
        }
    }

    /** Finishes the queued work and ends the worker. */
    void stop() {
        synchronize();
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        device.forget(this);
    }

    synchronized boolean isClosed() {
        return closed;
    }
}
