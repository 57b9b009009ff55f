package io.ringsgd.pipesgd.data;

import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads data sets once per JVM: the worker threads of a local run all ask for the same {@link DataSpec} and share one
 * read-only copy (the first caller loads it, the others wait for it). Thread-safe. Loaded sets stay in memory for the
 * life of the JVM.
 */
public final class DataSets {
    private static final Logger log = LoggerFactory.getLogger(DataSets.class);
    private static final ConcurrentMap<DataSpec, CompletableFuture<TrainTestData>> CACHE = new ConcurrentHashMap<>();

    private DataSets() {
    }

    /**
     * The data of {@code spec}, loaded on first use and shared afterwards. Blocks while this thread or another loads
     * it; a failed load is not cached (the next call tries again).
     *
     * @param spec the data set
     * @return the shared, read-only train and test sets
     * @throws IllegalArgumentException (one line) if a directory given explicitly is missing or lacks files
     * @throws DataFileException if a file is unreadable, truncated or malformed (the message names it)
     * @throws IllegalStateException if the thread is interrupted while another thread loads the same data
     */
    public static TrainTestData load(DataSpec spec) {
        CompletableFuture<TrainTestData> mine = new CompletableFuture<>();
        CompletableFuture<TrainTestData> existing = CACHE.putIfAbsent(spec, mine);
        if (existing == null) {
            try {
                mine.complete(loadUncached(spec));
            } catch (RuntimeException | Error e) {
                CACHE.remove(spec, mine);
                mine.completeExceptionally(e);
                throw e;
            }
            return mine.join();
        }
        try {
            return existing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while another thread loaded " + spec, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            throw new IllegalStateException("loading " + spec + " failed: " + c, c);
        }
    }

    /**
     * Loads {@code spec} without the cache, on the calling thread.
     *
     * @param spec the data set
     * @return newly read train and test sets
     * @throws IllegalArgumentException (one line) if a directory given explicitly is missing or lacks files
     * @throws DataFileException if a file is unreadable, truncated or malformed
     */
    public static TrainTestData loadUncached(DataSpec spec) {
        spec.check();
        TrainTestData data;
        switch (spec.kind()) {
            case FASHION_MNIST:
                if (Files.isDirectory(spec.directory())) {
                    data = FashionMnist.load(spec.directory(), "Fashion-MNIST", FashionMnist.CLASSES);
                } else {
                    data = FashionMnist.loadEmbedded();
                    log.warn("Fashion-MNIST not found in {} (install the Debian package dataset-fashion-mnist or pass "
                            + "--data DIR): using the embedded subset of {} train / {} test images",
                            spec.directory(), data.train().size(), data.test().size());
                    data = new TrainTestData(data.train(), data.test(), data.description() + ", used because "
                            + spec.directory() + " does not exist", true);
                }
                break;
            case DIRECTORY:
                data = FashionMnist.load(spec.directory(), spec.name() != null ? spec.name() : "IDX data",
                        spec.classes());
                break;
            case EMBEDDED:
                data = FashionMnist.loadEmbedded();
                break;
            default:
                data = SyntheticData.generate(spec);
                break;
        }
        log.info("data: {}", data.description());
        return data;
    }
}
