/** ringsgd cocod. */
package io.ringsgd.cocod;
