package dev.rebound.weaver.internal;

import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.aspectj.lang.JoinPoint;

/**
 * One join point's policy on instances of one class, in the slots that the per-class aspect keeps by
 * join point id. Immutable: an array of slots read without a lock sees each slot whole.
 */
public final class Slot {

    /** No slot yet. */
    public static final Slot[] NONE = new Slot[0];

    /** The class whose instances run the join point under {@link #policy}. */
    public final Class<?> type;
    /** Null when the join point has no policy on {@link #type}, or when the slot is not {@link #resolved}. */
    public final ResilientMethod policy;
    /**
     * False when claimed for an instance that carries a door's interceptor ({@link ContainerInterception}), for
     * which the advice resolves no policy: it answers for such instances alone, and is claimed again, resolved,
     * for the first that does not carry it (another container's instance of the same generated class).
     */
    private final boolean resolved;
    /** Whether a door's interceptor may take {@link #policy} over on some instances ({@link Sites#takeable}). */
    private final boolean takeable;
    /** Whether {@link #type} is a client proxy whose called instance may apply the policy ({@link Sites#delegating}). */
    private final boolean delegating;
    /**
     * The marks on the instances of {@link #type} ({@link ContainerInterception#carriersOf}), asked per call when
     * the slot is not resolved or is {@link #takeable}; else null.
     */
    private final ContainerInterception.Carriers carriers;

    private Slot(Class<?> type, ResilientMethod policy, boolean resolved) {
        this.type = type;
        this.policy = policy;
        this.resolved = resolved;
        this.takeable = Sites.takeable(type, policy);
        this.delegating = takeable && Sites.delegating(type);
        this.carriers = takeable || !resolved ? ContainerInterception.carriersOf(type) : null;
    }

    /**
     * Whether this slot answers for the call on {@code self}, an instance of {@link #type}: it is resolved, or
     * {@code self} carries a door's interceptor (a read of its chain and an identity look-up, for a slot of a
     * generated class alone).
     */
    public boolean answers(Object self) {
        return resolved || carriers.carries(self);
    }

    /**
     * The policy to apply to this call of {@code jp} on {@code self}, which this slot {@link #answers}, as {@link
     * Sites#active} answers it; null from a slot not resolved, which answers only for an instance whose door
     * applies it.
     */
    public ResilientMethod active(Object self, JoinPoint.StaticPart jp) {
        if (!resolved) {
            return null;
        }
        return unlessPassedThrough(self, jp, takeable ? Sites.unlessCarried(self, policy, carriers, delegating) : policy);
    }

    /**
     * The policy to apply to the call of {@code jp} on {@code self} that claimed a slot for it, {@code policy}
     * being its class's ({@link Sites#policy}, null for an instance that carries a door's interceptor): as
     * {@link #active} answers the next calls.
     */
    public static ResilientMethod firstCall(Object self, JoinPoint.StaticPart jp, ResilientMethod policy) {
        Class<?> type = self.getClass();
        boolean delegating = Sites.takeable(type, policy) && Sites.delegating(type);
        return unlessPassedThrough(self, jp,
                delegating ? Sites.unlessCarried(self, policy, ContainerInterception.carriersOf(type), true) : policy);
    }

    /**
     * {@code policy}, or null when it is null or the engine is calling this very method, {@code jp}'s, on {@code
     * self} as an alternative whose policies it applies itself (an alternative the engine calls as it is, the
     * policy's call part of the enclosing call, gets {@code policy}: {@link Passthrough#claim(Object, Method,
     * ResilientMethod)}; a mark for another method of {@code self} is not this advice's to take). The join point's
     * method is read only while some mark is in place.
     */
    public static ResilientMethod unlessPassedThrough(Object self, JoinPoint.StaticPart jp, ResilientMethod policy) {
        return policy == null || Passthrough.pending() && Passthrough.claim(self, Sites.methodOf(jp), policy) ? null
                : policy;
    }

    /**
     * {@code slots} with slot {@code id} given to {@code type} and {@code policy} when it has none yet, or when
     * its slot is {@code type}'s, not resolved, and this one is ({@code resolved}: found for an instance that
     * carries no door's interceptor); a copy (the array a reader holds never changes).
     */
    public static Slot[] claimed(Slot[] slots, int id, Class<?> type, ResilientMethod policy, boolean resolved) {
        if (id < slots.length && slots[id] != null && (slots[id].resolved || !resolved || slots[id].type != type)) {
            return slots;
        }
        Slot[] s = Arrays.copyOf(slots, Math.max(slots.length, id + 1));
        s[id] = new Slot(type, policy, resolved);
        return s;
    }
}
