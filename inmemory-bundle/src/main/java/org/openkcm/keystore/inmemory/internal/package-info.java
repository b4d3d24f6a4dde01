/** The volatile InMemory backend. Private. */
package org.openkcm.keystore.inmemory.internal;
