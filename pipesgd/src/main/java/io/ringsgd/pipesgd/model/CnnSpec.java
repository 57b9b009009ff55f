package io.ringsgd.pipesgd.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The layers of a convolutional network ({@link ConvNet}) as text, the form {@code --model cnn:SPEC} takes: layers
 * joined by '-', each one of
 * <ul>
 *   <li>{@code cF}, {@code cFkK} or {@code cFkKpP}: a convolution with F filters of K×K (default 5), stride 1, zero
 *       padding P (default 0; P = K/2 keeps the image size), followed by a ReLU;</li>
 *   <li>{@code poolS}: max pooling over S×S windows with stride S;</li>
 *   <li>{@code dN}: a dense layer of N units followed by a ReLU.</li>
 * </ul>
 * The output layer (dense, one unit per class, softmax cross-entropy) is always added. The built-in networks are
 * {@link #CNN} and {@link #CNN_LARGE}. Immutable.
 */
public final class CnnSpec {
    /** {@code --model cnn}: LeNet-5's shape, wider (127 462 parameters on 28×28 images, 10 classes). */
    public static final String CNN = "c16k5p2-pool2-c32k5-pool2-d128-d84";
    /** {@code --model cnn-large}: two "same" convolutions of 32 and 64 filters, 512 units (1 663 370 parameters). */
    public static final String CNN_LARGE = "c32k5p2-pool2-c64k5p2-pool2-d512";

    /** What a layer does. */
    enum Kind {
        CONV, POOL, DENSE
    }

    /** One hidden layer as written: a convolution (size filters, kernel, pad), a pooling (size) or dense (size). */
    record Layer(Kind kind, int size, int kernel, int pad) {
    }

    private final String text;
    private final List<Layer> layers;

    private CnnSpec(String text, List<Layer> layers) {
        this.text = text;
        this.layers = Collections.unmodifiableList(layers);
    }

    /**
     * Parses a specification such as {@code c16k5p2-pool2-c32k5-pool2-d128-d84}.
     *
     * @param spec the text
     * @return the specification
     * @throws IllegalArgumentException (one line) naming the part that is wrong
     */
    public static CnnSpec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty cnn specification: use e.g. cnn:" + CNN);
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        List<Layer> out = new ArrayList<>();
        for (String part : s.split("-", -1)) {
            out.add(layer(part, s));
        }
        boolean conv = false;
        for (Layer l : out) {
            conv |= l.kind() == Kind.CONV;
        }
        if (!conv) {
            throw new IllegalArgumentException("cnn specification '" + spec + "' has no convolution (cF[kK][pP]):"
                    + " use --model mlp for dense layers only");
        }
        return new CnnSpec(s, out);
    }

    private static Layer layer(String part, String spec) {
        try {
            if (part.startsWith("pool")) {
                int size = positive(part.substring(4));
                return new Layer(Kind.POOL, size, 0, 0);
            }
            if (part.startsWith("d")) {
                return new Layer(Kind.DENSE, positive(part.substring(1)), 0, 0);
            }
            if (part.startsWith("c")) {
                String rest = part.substring(1);
                int k = rest.indexOf('k');
                int p = rest.indexOf('p');
                int filtersEnd = k >= 0 ? k : p >= 0 ? p : rest.length();
                int filters = positive(rest.substring(0, filtersEnd));
                int kernel = k >= 0 ? positive(rest.substring(k + 1, p > k ? p : rest.length())) : 5;
                int pad = p >= 0 ? Integer.parseInt(rest.substring(p + 1)) : 0;
                if (p >= 0 && p < k || pad < 0 || pad >= kernel) {
                    throw new NumberFormatException();
                }
                return new Layer(Kind.CONV, filters, kernel, pad);
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // reported below
        }
        throw new IllegalArgumentException("cnn specification '" + spec + "': cannot read '" + part + "'; write"
                + " layers as cF[kK][pP] (convolution, 0 <= P < K), poolS (max pool) or dN (dense), joined by '-',"
                + " e.g. " + CNN);
    }

    private static int positive(String digits) {
        int v = Integer.parseInt(digits);
        if (v < 1) {
            throw new NumberFormatException();
        }
        return v;
    }

    /** The hidden layers in order (the output layer is not listed). */
    List<Layer> layers() {
        return layers;
    }

    /** The specification in its canonical (lower-case) text. */
    @Override
    public String toString() {
        return text;
    }
}
