package dev.rebound.weaver.internal;

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
    /** Null when the join point has no policy on {@link #type}. */
    public final ResilientMethod policy;
    /** Whether a door's interceptor may take {@link #policy} over later ({@link Sites#takeable}). */
    private final boolean takeable;

    private Slot(Class<?> type, ResilientMethod policy) {
        this.type = type;
        this.policy = policy;
        this.takeable = Sites.takeable(type, policy);
    }

    /** The policy to apply to this call of {@code jp} on {@code self}, as {@link Sites#active} answers it. */
    public ResilientMethod active(Object self, JoinPoint.StaticPart jp) {
        return unlessPassedThrough(self, jp, takeable ? Sites.unlessTaken(type, policy) : policy);
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
     * {@code slots} with slot {@code id} given to {@code type} and {@code policy}, when it has none yet;
     * a copy (the array a reader holds never changes).
     */
    public static Slot[] claimed(Slot[] slots, int id, Class<?> type, ResilientMethod policy) {
        if (id < slots.length && slots[id] != null) {
            return slots;
        }
        Slot[] s = Arrays.copyOf(slots, Math.max(slots.length, id + 1));
        s[id] = new Slot(type, policy);
        return s;
    }
}
