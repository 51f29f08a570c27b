package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundListener;
import java.util.Set;

/**
 * A listener that tells apart the events of a call its own open circuit refused: the {@code FALLBACK} away
 * from that circuit, and the {@code SUCCEEDED} or {@code FAILED} of a call whose every failure was such a
 * refusal. The circuit's opening told of them already, so the default logger wants them
 * only at DEBUG. Internal (the public {@link ReboundListener} is unchanged): the engine, which knows which
 * events those are ({@link Events}), reads this demand where it reads {@link #wantedKinds}, builds such an
 * event only when some listener wants it so, and hands it to {@link #onRefusedEvent}; any other listener
 * gets it as any other event.
 */
public interface RefusalAwareListener extends ReboundListener {

    /**
     * Of {@code wanted}, the set {@link #wantedKinds} answered for the call, the kinds wanted for an event
     * of a call its own open circuit refused. Asked at each such event: answers from {@code wanted} alone
     * (the levels read once per call), allocating nothing.
     */
    Set<Kind> wantedWhenRefused(Set<Kind> wanted);

    /** An event of a call its own open circuit refused, of a kind {@link #wantedWhenRefused} wanted. */
    void onRefusedEvent(ReboundEvent event);
}
