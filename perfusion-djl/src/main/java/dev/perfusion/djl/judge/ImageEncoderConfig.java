package dev.perfusion.djl.judge;

import java.util.List;

/**
 * The shapes of a {@link ConvImageEncoder}.
 *
 * @param channels channels of each stage; every stage halves the side
 * @param groups   groups of every group norm
 * @param embed    width of the embedding
 */
public record ImageEncoderConfig(List<Integer> channels, int groups, int embed) {

    public ImageEncoderConfig {
        channels = List.copyOf(channels);
        if (channels.isEmpty() || groups <= 0 || embed <= 0) {
            throw new IllegalArgumentException("an image encoder needs stages, groups and an embedding width");
        }
        for (int c : channels) {
            if (c <= 0 || c % groups != 0) {
                throw new IllegalArgumentException(c + " channels cannot be split into " + groups + " groups");
            }
        }
    }
}
