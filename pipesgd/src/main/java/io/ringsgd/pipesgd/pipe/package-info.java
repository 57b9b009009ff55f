/**
 * Pipe-SGD (Li et al., NeurIPS 2018): with pipeline width K the AllReduce of an iteration's gradient overlaps the
 * computation of the next K−1 iterations, and each update applies a gradient K−1 steps stale; width 1 is synchronous
 * AllReduce SGD (trainer {@code sync}).
 */
package io.ringsgd.pipesgd.pipe;
