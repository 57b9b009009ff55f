package io.ringsgd.pipesgd.data;

/**
 * A data file that is missing, unreadable, truncated or not what it should be. The message names the file, the
 * problem and what to do about it.
 */
public final class DataFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The path or resource name shown to the user. */
    private final String file;

    /** {@code file} is the path or resource name shown to the user. */
    public DataFileException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** With the I/O failure that caused it. */
    public DataFileException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file (or class-path resource) concerned. */
    public String file() {
        return file;
    }
}
