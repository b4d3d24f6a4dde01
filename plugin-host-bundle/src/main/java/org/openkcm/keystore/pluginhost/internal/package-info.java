/**
 * The go-plugin host: launching, handshake, AutoMTLS, supervision and the remote Keystore. Private.
 */
package org.openkcm.keystore.pluginhost.internal;
