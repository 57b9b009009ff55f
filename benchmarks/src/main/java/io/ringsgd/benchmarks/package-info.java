/** ringsgd benchmarks. */
package io.ringsgd.benchmarks;
