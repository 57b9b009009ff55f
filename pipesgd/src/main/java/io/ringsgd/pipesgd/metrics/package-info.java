/**
 * Outputs of a run used by the CLI: a metrics CSV (iterations, evaluations, epochs), a PNG plot of loss and test
 * accuracy against training time, and a JSON summary.
 */
package io.ringsgd.pipesgd.metrics;
