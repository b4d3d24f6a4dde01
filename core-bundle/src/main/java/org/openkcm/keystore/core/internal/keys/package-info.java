/**
 * The crypto core's KeyService: key lifecycle over the backends, with envelope encryption and the
 * cache. Private.
 */
package org.openkcm.keystore.core.internal.keys;
