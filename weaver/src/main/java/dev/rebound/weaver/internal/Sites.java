package dev.rebound.weaver.internal;

import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.GeneratedSubclasses;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.Method;
import org.aspectj.lang.JoinPoint;
import org.aspectj.lang.reflect.MethodSignature;

/**
 * The policies of the woven join points that have no {@link Slot} of their own in a class's aspect (default methods of
 * interfaces, methods of enums, an inherited body running on another class than its slot's), and the slots that
 * aspect claims, in one open hash table keyed by the join point's static part (its identity: one object per join
 * point, made when its class initialises) and the runtime class: after the first call, finding a policy is an
 * identity hash, an array read and two compares, and finds null for a method without a policy.
 *
 * <p>An entry is keyed by the runtime class too, since a subclass may bring its own annotations, and a default method
 * runs on instances of many classes. Each entry is a {@link Slot}, which answers each call alike on both paths: the
 * per-class aspect claims the same slot for the first class that runs a join point, so that the advice steps aside
 * for an instance whose container's door applies the policy by one rule, decided once per join point and class
 * ({@link Slot#active}).
 *
 * <p>A slot kept for a subclass a container generated asks on each call whether the instance carries a door's
 * interceptor: Guice shares one generated class between injectors that intercept the same methods of a class, so the
 * instances of an injector without {@code ReboundModule} and those of an injector with it run the same join points,
 * in any order; the advice steps aside for the second alone, whose interceptor applies the policy once, and applies
 * it to the first.
 */
public final class Sites {

    /** Replaced, never mutated; Site's final fields make a racy read safe. Its length is a power of two. */
    private static volatile Site[] table = new Site[256];
    private static int size;

    private Sites() {
    }

    /**
     * The policy to apply to this call of {@code jp} on {@code self}: null when there is none, when a container's door
     * applies it ({@link Slot#active}), or when a door that applies it is calling this very method
     * ({@link Passthrough}): the engine calling {@code self} as an alternative, or a door calling a woven default on
     * an object ajc never wove (a mark for another method is not this advice's to take). The join point's method is
     * read only while some mark is in place.
     */
    public static ResilientMethod active(Object self, JoinPoint.StaticPart jp) {
        Slot slot = slot(self, jp);
        return slot != null ? slot.active(self, jp) : Slot.unlessPassedThrough(self, jp, unkept(self, jp));
    }

    /** The method of the join point {@code jp}: its signature keeps it once found. */
    static Method methodOf(JoinPoint.StaticPart jp) {
        return ((MethodSignature) jp.getSignature()).getMethod();
    }

    /**
     * The slot of the join point {@code jp} on the instances of {@code self}'s class that {@linkplain Slot#answers
     * answers} for {@code self}, kept here at the first call; null while a door that applies the policies itself is
     * calling {@code self} and none is kept ({@link #active} answers that call, keeping nothing).
     */
    public static Slot slot(Object self, JoinPoint.StaticPart jp) {
        Site[] t = table;
        Class<?> type = self.getClass();
        for (Site site = t[System.identityHashCode(jp) & (t.length - 1)]; site != null; site = site.next) {
            if (site.jp == jp && site.slot.type == type) {
                if (site.slot.answers(self)) {
                    return site.slot;
                }
                break; // kept for an instance that carries a door's interceptor: resolved for this one
            }
        }
        return resolve(self, type, jp);
    }

    private static Slot resolve(Object self, Class<?> type, JoinPoint.StaticPart jp) {
        if (Passthrough.marked(self)) {
            // a door that applies the policies itself is calling (Rebound.wrap over an object ajc never wove, the
            // engine calling an alternative): the advice lets the call through, or, when the door's mark is
            // another method's or already taken (a woven default the marked one calls on itself), applies its own
            // policy (unkept); nothing kept, so that the first call no door makes is the one that says what a class
            // ajc never wove misses (so a woven default called on itself inside a door's call resolves again at
            // each such call: a ClassValue and a map read)
            return null;
        }
        // an instance that a door's container made with the door's interceptor (ContainerInterception) applies the
        // policy there: the advice steps aside, and resolves nothing for it (its alternatives would come from the
        // global resolver), only for an instance of the same generated class that another container made
        boolean intercepted = ContainerInterception.carries(self);
        ResilientMethod policy = intercepted ? null : policyOf(type, jp);
        if (!intercepted) {
            WovenPolicies.reached(GeneratedSubclasses.userClass(type));
        }
        return keep(jp, type, policy, !intercepted);
    }

    /** The policy of {@code jp} on {@code self}, not kept: null for an instance that carries a door's interceptor. */
    private static ResilientMethod unkept(Object self, JoinPoint.StaticPart jp) {
        return ContainerInterception.carries(self) ? null : policyOf(self.getClass(), jp);
    }

    /**
     * The policy of {@code jp} on instances of {@code type}: a subclass a container generated at run time (another
     * injector's, a mock) has its user class's, told by the one test of every door, so that a class ajc wove is never
     * taken for one, whatever its name.
     */
    private static ResilientMethod policyOf(Class<?> type, JoinPoint.StaticPart jp) {
        return WovenPolicies.of(GeneratedSubclasses.userClass(type), methodOf(jp));
    }

    /**
     * Keeps a slot of {@code policy} for {@code jp} on instances of {@code type}, in place of what was kept for them
     * (a slot kept unresolved for an instance that carries a door's interceptor, now resolved for one that does
     * not), and returns it.
     */
    private static Slot keep(JoinPoint.StaticPart jp, Class<?> type, ResilientMethod policy, boolean resolved) {
        Slot slot = new Slot(type, jp, policy, resolved);
        synchronized (Sites.class) {
            Site[] t = table;
            if (++size > t.length / 2) {
                Site[] bigger = new Site[t.length * 2];
                for (Site head : t) {
                    for (Site s = head; s != null; s = s.next) {
                        int i = System.identityHashCode(s.jp) & (bigger.length - 1);
                        bigger[i] = new Site(s.jp, s.slot, bigger[i]);
                    }
                }
                t = bigger;
            } else {
                t = t.clone();
            }
            int i = System.identityHashCode(jp) & (t.length - 1);
            Site rest = without(t[i], jp, type);
            if (rest != t[i]) {
                size--;
            }
            t[i] = new Site(jp, slot, rest);
            table = t;
        }
        return slot;
    }

    /** The chain {@code head} without the site of {@code jp} on {@code type}: the sites before it copied. */
    private static Site without(Site head, JoinPoint.StaticPart jp, Class<?> type) {
        if (head == null) {
            return null;
        }
        if (head.jp == jp && head.slot.type == type) {
            return head.next;
        }
        Site rest = without(head.next, jp, type);
        return rest == head.next ? head : new Site(head.jp, head.slot, rest);
    }

    private static final class Site {
        final JoinPoint.StaticPart jp;
        final Slot slot;
        final Site next;

        Site(JoinPoint.StaticPart jp, Slot slot, Site next) {
            this.jp = jp;
            this.slot = slot;
            this.next = next;
        }
    }
}
