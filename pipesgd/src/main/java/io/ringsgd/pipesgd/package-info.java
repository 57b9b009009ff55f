/** ringsgd pipesgd. */
package io.ringsgd.pipesgd;
