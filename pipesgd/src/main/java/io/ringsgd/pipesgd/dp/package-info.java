/**
 * Differentially private SGD for the synchronous and pipelined trainers ({@code --dp psac|clip|autos}): per-sample
 * weighting of the gradients (DP-PSAC's non-monotonic adaptive weight, constant clipping, Auto-S), Poisson sampling of
 * the mini-batches, Gaussian noise split over the ranks so that the all-reduced sum carries it once, and the Rényi DP
 * accountant of the sampled Gaussian mechanism that turns the steps taken into epsilon at the given delta.
 */
package io.ringsgd.pipesgd.dp;
