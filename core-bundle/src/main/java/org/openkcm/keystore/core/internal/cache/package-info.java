/**
 * Two-layer key cache (sealed records; unwrapped material zeroized on eviction), per-tier policy.
 * Private.
 */
package org.openkcm.keystore.core.internal.cache;
