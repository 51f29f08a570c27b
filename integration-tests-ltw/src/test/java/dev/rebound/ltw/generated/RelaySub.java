package dev.rebound.ltw.generated;

/** Runs {@link RelayBase}'s join points as they are: a second class of theirs, which the shared table serves. */
public class RelaySub extends RelayBase {
}
