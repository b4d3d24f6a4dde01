/**
 * The operator's console: the Web Console page "Keystore", the console login (credentials from the
 * environment) and the start-up banner. Private; nothing here is exported.
 */
package org.openkcm.keystore.webconsole.internal;
