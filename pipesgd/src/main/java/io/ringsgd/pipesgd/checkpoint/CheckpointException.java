package io.ringsgd.pipesgd.checkpoint;

/**
 * A checkpoint that cannot be written, read, or used with this run; the message is one line naming the file and what
 * to do. {@code Trainer.train} throws it on every rank when any rank finds the problem; the CLI prints it and exits
 * with status 2.
 */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A problem with a message.
     *
     * @param message one line naming the file and what to do
     */
    public CheckpointException(String message) {
        super(message);
    }

    /**
     * A problem caused by another exception (an I/O error).
     *
     * @param message one line naming the file and what to do
     * @param cause   the underlying failure
     */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
