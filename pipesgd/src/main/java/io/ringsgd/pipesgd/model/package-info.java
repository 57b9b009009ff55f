/**
 * The model SPI (parameters are one flat float vector; a model fills a flat gradient vector for a mini-batch and
 * evaluates accuracy and loss) and the built-in models, softmax regression and a multi-layer perceptron whose matrix
 * products go through BLAS.
 */
package io.ringsgd.pipesgd.model;
