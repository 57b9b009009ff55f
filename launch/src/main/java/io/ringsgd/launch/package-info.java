/** ringsgd launch. */
package io.ringsgd.launch;
