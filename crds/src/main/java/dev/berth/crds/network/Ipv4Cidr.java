package dev.berth.crds.network;

/** An IPv4 block like 10.20.0.0/16, as numbers, for overlap and containment arithmetic. */
public record Ipv4Cidr(long base, int prefix) {
    public static Ipv4Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected an IPv4 CIDR like 10.20.0.0/16, got \"" + text + "\"");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in \"" + text + "\"");
        }
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32 in \"" + text + "\"");
        }
        return new Ipv4Cidr(address(text.substring(0, slash)), prefix);
    }

    public static long address(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("expected an IPv4 address, got \"" + dotted + "\"");
        }
        long value = 0;
        for (String part : parts) {
            int octet;
            try {
                octet = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected an IPv4 address, got \"" + dotted + "\"");
            }
            if (octet < 0 || octet > 255 || part.isEmpty()) {
                throw new IllegalArgumentException("expected an IPv4 address, got \"" + dotted + "\"");
            }
            value = value << 8 | octet;
        }
        return value;
    }

    public static String dotted(long address) {
        return (address >> 24 & 255) + "." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255);
    }

    public long size() {
        return 1L << (32 - prefix);
    }

    public long mask() {
        return prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    }

    /** True when the address has no bits set below the prefix (10.0.0.0/8, not 10.1.0.0/8). */
    public boolean aligned() {
        return (base & ~mask() & 0xFFFFFFFFL) == 0;
    }

    /** Whether the dotted IPv4 {@code address} is in this range (false for anything that is not one). */
    public boolean containsAddress(String address) {
        try {
            return (address(address) & mask()) == (base & mask());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public boolean overlaps(Ipv4Cidr other) {
        return base < other.base + other.size() && other.base < base + size();
    }

    public boolean contains(Ipv4Cidr other) {
        return other.base >= base && other.base + other.size() <= base + size();
    }

    /** The {@code index}-th block of {@code /childPrefix} inside this one. */
    public Ipv4Cidr child(int childPrefix, long index) {
        return new Ipv4Cidr(base + index * (1L << (32 - childPrefix)), childPrefix);
    }

    @Override
    public String toString() {
        return dotted(base) + "/" + prefix;
    }
}
