package io.ringsgd.pipesgd.model;

import dev.ludovic.netlib.blas.BLAS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Row-major matrix products on BLAS, which is column-major: a row-major matrix is the column-major view of its
 * transpose, so C = op(A)·op(B) in row-major is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ in column-major by swapping the
 * operands (and m with n), with each leading dimension being the row length as stored.
 */
public final class RowMajor {
    private static final Logger log = LoggerFactory.getLogger(RowMajor.class);
    private static final BLAS BLAS_INSTANCE = load();

    private RowMajor() {
    }

    /**
     * netlib picks the first implementation that loads (native, Vector API, plain Java) and reports each one that
     * does not through java.util.logging as a warning on stderr; unless the user configured that logger, those
     * expected fallbacks are silenced here and the choice is logged once through SLF4J instead.
     */
    private static BLAS load() {
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder");
        java.util.logging.Level before = jul.getLevel();
        if (before == null) {
            jul.setLevel(java.util.logging.Level.SEVERE);
        }
        try {
            BLAS b = BLAS.getInstance();
            log.debug("BLAS implementation: {} (native needs a system libblas; the Vector API needs "
                    + "--add-modules jdk.incubator.vector)", b.getClass().getSimpleName());
            return b;
        } finally {
            jul.setLevel(before);
        }
    }

    /** The BLAS implementation in use (native, Vector API or plain Java), for logs and reports. */
    public static String blasName() {
        return BLAS_INSTANCE.getClass().getSimpleName();
    }

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C}, row-major, with op(A) m×k, op(B) k×n and C m×n; {@code lda},
     * {@code ldb}, {@code ldc} are the stored row lengths of A, B and C.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
            int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, bOff, ldb, a, aOff, lda, beta,
                c, cOff, ldc);
    }
}
