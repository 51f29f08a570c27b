package dev.rebound.weaver.internal;

import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.GeneratedSubclasses;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.aspectj.lang.JoinPoint;

/**
 * One join point's policy on instances of one class, and whether the advice steps aside for an instance whose
 * container's own door applies it ({@link #active}: the one rule). Made once per join point and class, in the
 * shared table ({@link Sites}), and claimed by the per-class aspect for the first class that runs the join point,
 * in its slots by join point id: both paths answer a call with the same slot. Immutable but for what it learns of a
 * client proxy's instance at its first call: an array of slots read without a lock sees each slot whole.
 */
public final class Slot {

    /** No slot yet. */
    public static final Slot[] NONE = new Slot[0];

    /** The class whose instances run the join point under {@link #policy}. */
    public final Class<?> type;
    /** Null when the join point has no policy on {@link #type}, or when the slot is not {@link #resolved}. */
    public final ResilientMethod policy;
    /**
     * False when kept for an instance that carries a door's interceptor ({@link ContainerInterception}), for
     * which the advice resolves no policy: it answers for such instances alone, and is kept again, resolved,
     * for the first that does not carry it (another container's instance of the same generated class).
     */
    private final boolean resolved;
    /**
     * Whether a container's door may take {@link #policy} over on some instances: {@link #type} is a subclass a
     * container generated ({@link GeneratedSubclasses}), whose instances {@link ContainerInterception#registerInstance}
     * may mark, now or later, or a client proxy. Decided once: a woven class's own instances never pay for it.
     */
    private final boolean takeable;
    /**
     * The marks on the instances of {@link #type} ({@link ContainerInterception#carriersOf}), asked per call when
     * the slot is not resolved or is {@link #takeable}; else null.
     */
    private final ContainerInterception.Carriers carriers;
    /**
     * The join point's method when {@link #type} is a container's client proxy ({@link Policies#isClientProxy}:
     * Quarkus ArC's, woven by the load-time agent as a class of the application's) that declares it: the proxy's own
     * method, which hands each call to an instance whose own door may apply the policy. Null for any other join
     * point, one whose body runs on the proxy itself (a default method it leaves alone, a final method it cannot
     * override), where nothing else applies the policy.
     */
    private final Method handedOn;
    /**
     * Whether the instance behind the client proxy applies {@link #handedOn}'s policy itself
     * ({@link Policies#appliedBehind}): 1, or -1 for no; 0 until a call could reach it.
     */
    private volatile int behind;

    Slot(Class<?> type, JoinPoint.StaticPart jp, ResilientMethod policy, boolean resolved) {
        this.type = type;
        this.policy = policy;
        this.resolved = resolved;
        this.takeable = policy != null && GeneratedSubclasses.isGenerated(type);
        this.carriers = takeable || !resolved ? ContainerInterception.carriersOf(type) : null;
        this.handedOn = takeable && Policies.isClientProxy(type) && jp.getSignature().getDeclaringType() == type
                ? Sites.methodOf(jp) : null;
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
     * The policy to apply to this call of {@code jp} on {@code self}, which this slot {@link #answers}: null from a
     * slot not resolved (it answers only for an instance whose door applies the policy), when a container's door
     * applies it ({@link #stepsAside}), or when a door that applies it is calling this very method
     * ({@link #unlessPassedThrough}).
     */
    public ResilientMethod active(Object self, JoinPoint.StaticPart jp) {
        if (!resolved) {
            return null;
        }
        return unlessPassedThrough(self, jp, takeable && stepsAside(self) ? null : policy);
    }

    /**
     * Whether the advice steps aside for this call on {@code self} because a container's own door applies the
     * policy once: {@code self} carries a door's interceptor ({@link #carriers}: Guice's {@code ReboundModule}, the
     * interceptor applies it), or {@code self} is a client proxy whose own method hands the call to an instance that
     * applies it itself ({@link #handedOn}: ArC's proxy of a woven bean, or of a lambda that keeps the interface's
     * woven default). A read of the instance's chain and an identity look-up, and for a client proxy's own method a
     * volatile read more once decided; nothing allocated.
     */
    private boolean stepsAside(Object self) {
        return carriers.carries(self) || handedOn != null && appliedBehind(self);
    }

    /**
     * Whether the instance behind the client proxy {@code proxy} applies {@link #handedOn}'s policy itself: asked of
     * the runtime until a call reaches that instance, then kept. A call that cannot reach it (the bean's context not
     * active) decides nothing, and applies the proxy's policy to a call that fails as it would.
     */
    private boolean appliedBehind(Object proxy) {
        int known = behind;
        if (known == 0) {
            Boolean said = Policies.appliedBehind(proxy, handedOn);
            if (said == null) {
                return false;
            }
            known = said ? 1 : -1;
            behind = known;
        }
        return known > 0;
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
     * Whether {@code slot} takes slot {@code id} of {@code slots}: it has none yet, or its slot is {@code slot}'s
     * class's, not resolved, and {@code slot} is (kept for an instance that carries no door's interceptor). Asked
     * without a lock first, so that the calls of a class that runs another class's join point take none.
     */
    public static boolean takes(Slot[] slots, int id, Slot slot) {
        Slot held = id < slots.length ? slots[id] : null;
        return held == null || !held.resolved && slot.resolved && held.type == slot.type;
    }

    /**
     * {@code slots} with slot {@code id} given to {@code slot} when it {@linkplain #takes takes} it: a copy (the array
     * a reader holds never changes).
     */
    public static Slot[] claimed(Slot[] slots, int id, Slot slot) {
        if (!takes(slots, id, slot)) {
            return slots;
        }
        Slot[] s = Arrays.copyOf(slots, Math.max(slots.length, id + 1));
        s[id] = slot;
        return s;
    }
}
