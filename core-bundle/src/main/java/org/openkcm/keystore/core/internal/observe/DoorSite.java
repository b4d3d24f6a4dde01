package org.openkcm.keystore.core.internal.observe;

/**
 * One operation of a door (e.g. {@code key.open}), resolved once when the door is built: its name,
 * its place in the {@link CallTally}, and whether observers that accept samples see only some of
 * its calls (the hot calls that the cache serves) or every one.
 *
 * @param operation the operation's name
 * @param index its counters' place in the tally
 * @param sampled whether it is sampled for observers that accept samples
 */
record DoorSite(String operation, int index, boolean sampled) {}
