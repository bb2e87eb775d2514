using Cooperation.Api.Contracts;

namespace Cooperation.Api.Tests.Contracts;

public sealed class IdentifierTests
{
    [Theory]
    [InlineData("04011000-1234512345-06", true)] // KoSIT's published example
    [InlineData("05916004-0001-21", true)]
    [InlineData("991-33333TEST-33", true)]
    [InlineData("991-33333test-33", true)]
    [InlineData("05916004-21", false)]
    [InlineData("05916004-0001-22", false)]
    [InlineData("04011000-1234512345-60", false)]
    public void LeitwegId_check_digits_follow_ISO_7064_mod_97_10(string leitwegId, bool valid)
    {
        Assert.True(LeitwegId.HasValidShape(leitwegId));
        Assert.Equal(valid, LeitwegId.HasValidCheckDigits(leitwegId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0-21")]
    [InlineData("05916004")]
    [InlineData("05916004--21")]
    [InlineData("05916004-0001-2")]
    [InlineData("0591600412345-21")]
    [InlineData("05916004-00_1-21")]
    public void LeitwegId_of_the_wrong_shape_is_refused(string leitwegId)
    {
        Assert.False(LeitwegId.HasValidShape(leitwegId));
        Assert.False(LeitwegId.HasValidCheckDigits(leitwegId));
    }

    [Fact]
    public void Mod97_check_digits_make_a_valid_number()
    {
        var digits = Mod97.CheckDigits("059160040001");

        Assert.Equal(21, digits);
        Assert.True(Mod97.IsValid("059160040001" + digits.ToString("00", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("DE89 3704 0044 0532 0130 00", true)]
    [InlineData("de89370400440532013000", true)]
    [InlineData("DE88370400440532013000", false)]
    [InlineData("DE8937040044", false)]
    [InlineData("", false)]
    public void Iban_is_checked_with_mod_97(string iban, bool valid)
    {
        Assert.Equal(valid, Iban.IsValid(iban));
    }
}
