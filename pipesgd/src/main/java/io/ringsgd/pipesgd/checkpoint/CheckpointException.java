package io.ringsgd.pipesgd.checkpoint;

/** A checkpoint that cannot be written, read, or used with this run; the message names the file and what to do. */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
