package io.ringsgd.pipesgd.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which data set to train on, as the CLI's {@code --data} value; a value, not the data: {@link DataSets#load} reads it.
 * Forms accepted by {@link #parse}:
 * <ul>
 *   <li>{@code fashion-mnist} (default): the Debian package's files in {@value FashionMnist#DEFAULT_DIR_NAME}, or the
 *       embedded subset when that directory does not exist;</li>
 *   <li>{@code embedded}: the embedded Fashion-MNIST subset (10000 train / 2000 test images);</li>
 *   <li>{@code synthetic} or {@code synthetic:train=8000,test=2000,features=32,classes=4,noise=0.1,seed=42}:
 *       generated Gaussian clusters for smoke runs;</li>
 *   <li>{@code mnist:DIR} or {@code fashion-mnist:DIR}: MNIST or Fashion-MNIST in DIR, whose 10 classes are known
 *       (a label outside them is an error); no fallback;</li>
 *   <li>anything else: a directory holding MNIST-style IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
 *       t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each plain or .gz).</li>
 * </ul>
 * Immutable and thread-safe; equal specs share one loaded copy per JVM (see {@link DataSets}).
 */
public final class DataSpec {
    /** The kinds of data set. */
    public enum Kind {
        /** Fashion-MNIST from a default directory, the embedded subset if it is missing. */
        FASHION_MNIST,
        /** MNIST-style IDX files in a given directory (no fallback). */
        DIRECTORY,
        /** The embedded Fashion-MNIST subset. */
        EMBEDDED,
        /** Generated Gaussian clusters. */
        SYNTHETIC
    }

    private final Kind kind;
    private final Path dir;
    private final int trainSamples;
    private final int testSamples;
    private final int features;
    private final int classes;
    private final double noise;
    private final long dataSeed;
    /** DIRECTORY: the named data set it holds ("Fashion-MNIST", "MNIST"), whose classes are known; else null. */
    private final String name;

    private DataSpec(Kind kind, Path dir, int trainSamples, int testSamples, int features, int classes, double noise,
            long dataSeed) {
        this(kind, dir, trainSamples, testSamples, features, classes, noise, dataSeed, null);
    }

    private DataSpec(Kind kind, Path dir, int trainSamples, int testSamples, int features, int classes, double noise,
            long dataSeed, String name) {
        this.kind = kind;
        this.dir = dir;
        this.trainSamples = trainSamples;
        this.testSamples = testSamples;
        this.features = features;
        this.classes = classes;
        this.noise = noise;
        this.dataSeed = dataSeed;
        this.name = name;
    }

    /**
     * Fashion-MNIST from {@value FashionMnist#DEFAULT_DIR_NAME}, or the embedded subset if it does not exist.
     *
     * @return the spec ({@code fashion-mnist})
     */
    public static DataSpec fashionMnist() {
        return fashionMnist(FashionMnist.DEFAULT_DIR);
    }

    /**
     * Fashion-MNIST from {@code defaultDir}, or the embedded subset if that directory does not exist.
     *
     * @param defaultDir where the four files are expected
     * @return the spec
     */
    public static DataSpec fashionMnist(Path defaultDir) {
        return new DataSpec(Kind.FASHION_MNIST, defaultDir.toAbsolutePath().normalize(), 0, 0, 0, 0, 0, 0);
    }

    /**
     * MNIST-style IDX files in {@code dir}, of any number of classes; no fallback.
     *
     * @param dir the directory of the four files
     * @return the spec
     */
    public static DataSpec directory(Path dir) {
        return new DataSpec(Kind.DIRECTORY, dir.toAbsolutePath().normalize(), 0, 0, 0, 0, 0, 0);
    }

    /**
     * Fashion-MNIST or MNIST ({@code name}) in {@code dir}; no fallback. Its {@value FashionMnist#CLASSES} classes are
     * known, so a label outside them is an error.
     *
     * @param dir  the directory of the four files
     * @param name "Fashion-MNIST" or "MNIST", for messages and descriptions
     * @return the spec
     */
    public static DataSpec named(Path dir, String name) {
        return new DataSpec(Kind.DIRECTORY, dir.toAbsolutePath().normalize(), 0, 0, 0, FashionMnist.CLASSES, 0, 0,
                name);
    }

    /**
     * The embedded Fashion-MNIST subset (10000 train and 2000 test images, inside this jar).
     *
     * @return the spec ({@code embedded})
     */
    public static DataSpec embedded() {
        return new DataSpec(Kind.EMBEDDED, null, 0, 0, 0, 0, 0, 0);
    }

    /**
     * Generated data with the default shape: 8000 train, 2000 test, 32 features, 4 classes, noise 0.1, seed 42.
     *
     * @return the spec ({@code synthetic})
     */
    public static DataSpec synthetic() {
        return synthetic(8000, 2000, 32, 4, 0.1, 42);
    }

    /**
     * Gaussian clusters: one center per class drawn uniformly in [0.25, 0.75]^features, samples at the center plus
     * Gaussian noise of standard deviation {@code noise}, clipped to [0, 1] and stored as bytes. The samples depend
     * on these arguments only.
     *
     * @param trainSamples training samples, at least 1
     * @param testSamples  test samples, at least 1
     * @param features     features per sample, at least 1
     * @param classes      classes, 2 to 256
     * @param noise        standard deviation of the noise, finite and &gt;= 0
     * @param seed         seed of the generated data (not of the training)
     * @return the spec
     * @throws IllegalArgumentException (one line) for a bad value or data larger than 2 GiB
     */
    public static DataSpec synthetic(int trainSamples, int testSamples, int features, int classes, double noise,
            long seed) {
        if (trainSamples < 1 || testSamples < 1) {
            throw new IllegalArgumentException("synthetic data needs at least one train and one test sample, got train="
                    + trainSamples + " test=" + testSamples);
        }
        if (features < 1 || classes < 2 || classes > 256) {
            throw new IllegalArgumentException("synthetic data needs features >= 1 and 2 <= classes <= 256, got "
                    + "features=" + features + " classes=" + classes);
        }
        if ((long) trainSamples * features > Integer.MAX_VALUE - 16
                || (long) testSamples * features > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("synthetic data of " + trainSamples + " samples x " + features
                    + " features is larger than 2 GiB: make it smaller");
        }
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw new IllegalArgumentException("synthetic noise must be a finite number >= 0, got " + noise);
        }
        return new DataSpec(Kind.SYNTHETIC, null, trainSamples, testSamples, features, classes, noise, seed);
    }

    /**
     * Parses a {@code --data} value (see the class comment). Reads no file: see {@link #check()}.
     *
     * @param s the value
     * @return the spec
     * @throws IllegalArgumentException (one line) if the value is empty or a synthetic option is malformed
     */
    public static DataSpec parse(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("data is empty: pass fashion-mnist, embedded, synthetic[:k=v,...] "
                    + "or a directory of IDX files");
        }
        String v = s.trim();
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.equals("fashion-mnist") || lower.equals("fashion_mnist") || lower.equals("fashionmnist")) {
            return fashionMnist();
        }
        if (lower.startsWith("fashion-mnist:") || lower.startsWith("mnist:")) {
            // An explicit directory must hold the files: no fallback to the embedded subset.
            return named(Paths.get(v.substring(v.indexOf(':') + 1)), lower.startsWith("mnist:") ? "MNIST"
                    : "Fashion-MNIST");
        }
        if (lower.equals("embedded")) {
            return embedded();
        }
        if (lower.equals("synthetic") || lower.startsWith("synthetic:")) {
            return parseSynthetic(v.length() > "synthetic".length() ? v.substring("synthetic:".length()) : "");
        }
        return directory(Paths.get(v));
    }

    private static DataSpec parseSynthetic(String params) {
        DataSpec d = synthetic();
        int train = d.trainSamples;
        int test = d.testSamples;
        int features = d.features;
        int classes = d.classes;
        double noise = d.noise;
        long seed = d.dataSeed;
        if (!params.isBlank()) {
            for (String kv : params.split(",")) {
                int eq = kv.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("synthetic data option '" + kv + "' is not key=value: use "
                            + "synthetic:train=8000,test=2000,features=32,classes=4,noise=0.1,seed=42");
                }
                String key = kv.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String val = kv.substring(eq + 1).trim();
                try {
                    switch (key) {
                        case "train":
                            train = Integer.parseInt(val);
                            break;
                        case "test":
                            test = Integer.parseInt(val);
                            break;
                        case "features":
                            features = Integer.parseInt(val);
                            break;
                        case "classes":
                            classes = Integer.parseInt(val);
                            break;
                        case "noise":
                            noise = Double.parseDouble(val);
                            break;
                        case "seed":
                            seed = Long.parseLong(val);
                            break;
                        default:
                            throw new IllegalArgumentException("unknown synthetic data option '" + key
                                    + "': use train, test, features, classes, noise or seed");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("synthetic data option " + key + "=" + val
                            + " is not a number", e);
                }
            }
        }
        return synthetic(train, test, features, classes, noise, seed);
    }

    /**
     * Checks what can be checked without reading the data: a directory given explicitly must exist and hold the four
     * files. Throws {@link IllegalArgumentException} with a one-line message saying what to do.
     */
    public void check() {
        if (kind == Kind.DIRECTORY) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("data directory " + dir + " does not exist: pass a directory of "
                        + "MNIST-style IDX files, fashion-mnist, embedded or synthetic");
            }
            List<String> missing = FashionMnist.missingFiles(dir);
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("data directory " + dir + " lacks " + String.join(", ", missing)
                        + " (plain or .gz): copy the files there or pass another --data");
            }
        } else if (kind == Kind.FASHION_MNIST && Files.isDirectory(dir)) {
            List<String> missing = FashionMnist.missingFiles(dir);
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("Fashion-MNIST directory " + dir + " lacks "
                        + String.join(", ", missing) + ": reinstall dataset-fashion-mnist or pass --data embedded");
            }
        }
    }

    /**
     * What kind of data set this is.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /** The directory (FASHION_MNIST: the one tried first; DIRECTORY: the one used), else null. */
    public Path directory() {
        return dir;
    }

    /**
     * SYNTHETIC: the training samples generated; else 0.
     *
     * @return the count
     */
    public int trainSamples() {
        return trainSamples;
    }

    /**
     * SYNTHETIC: the test samples generated; else 0.
     *
     * @return the count
     */
    public int testSamples() {
        return testSamples;
    }

    /**
     * SYNTHETIC: the features per sample; else 0 (the files say).
     *
     * @return the count
     */
    public int features() {
        return features;
    }

    /** SYNTHETIC: the classes generated; DIRECTORY: the classes of the named data set it holds, 0 if unknown. */
    public int classes() {
        return classes;
    }

    /** DIRECTORY: the named data set it holds ("Fashion-MNIST", "MNIST"), or null for IDX data of any classes. */
    public String name() {
        return name;
    }

    /**
     * SYNTHETIC: the noise's standard deviation; else 0.
     *
     * @return the noise
     */
    public double noise() {
        return noise;
    }

    /** Seed of generated data (independent of the training seed, so the data stays put when that changes). */
    public long dataSeed() {
        return dataSeed;
    }

    /** Specs are equal when they name the same data (and so share one loaded copy). */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DataSpec)) {
            return false;
        }
        DataSpec d = (DataSpec) o;
        return kind == d.kind && Objects.equals(dir, d.dir) && trainSamples == d.trainSamples
                && testSamples == d.testSamples && features == d.features && classes == d.classes
                && Double.compare(noise, d.noise) == 0 && dataSeed == d.dataSeed && Objects.equals(name, d.name);
    }

    /** Consistent with {@link #equals}. */
    @Override
    public int hashCode() {
        return Objects.hash(kind, dir, trainSamples, testSamples, features, classes, noise, dataSeed, name);
    }

    /** The {@code --data} form of this spec. */
    @Override
    public String toString() {
        switch (kind) {
            case FASHION_MNIST:
                return dir.equals(FashionMnist.DEFAULT_DIR) ? "fashion-mnist" : "fashion-mnist(" + dir + ")";
            case DIRECTORY:
                // The directory alone, named or not: checkpoints written with either form keep resuming.
                return dir.toString();
            case EMBEDDED:
                return "embedded";
            default:
                return "synthetic:train=" + trainSamples + ",test=" + testSamples + ",features=" + features
                        + ",classes=" + classes + ",noise=" + noise + ",seed=" + dataSeed;
        }
    }
}
