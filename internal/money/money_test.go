package money

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"testing"
)

func TestRoundHalfUp(t *testing.T) {
	tests := []struct {
		in    string
		scale int
		want  string
	}{
		// The seed's tax: 14.25 × 10% = 1.425 must print 1.43 (half-even would give 1.42).
		{"1.425", 2, "1.43"},
		{"1.0625", 2, "1.06"},
		{"0.319", 2, "0.32"},
		{"0.425", 2, "0.43"},
		// exact halves round away from zero on both sides
		{"0.5", 0, "1"},
		{"1.5", 0, "2"},
		{"2.5", 0, "3"},
		{"-0.5", 0, "-1"},
		{"-2.5", 0, "-3"},
		{"-1.425", 2, "-1.43"},
		{"0.005", 2, "0.01"},
		{"-0.005", 2, "-0.01"},
		{"0.125", 2, "0.13"},
		{"0.135", 2, "0.14"},
		// just below and above a half
		{"1.4249999999", 2, "1.42"},
		{"1.4250000001", 2, "1.43"},
		{"-1.4249999999", 2, "-1.42"},
		{"-1.4250000001", 2, "-1.43"},
		// carries across digits
		{"0.995", 2, "1.00"},
		{"9.9995", 3, "10.000"},
		{"-0.995", 2, "-1.00"},
		{"999999.995", 2, "1000000.00"},
		// many decimals
		{"0.3333333333333333333", 2, "0.33"},
		{"0.6666666666666666667", 2, "0.67"},
		{"0.0000000000000000005", 18, "0.000000000000000001"},
		{"123.456789012345", 6, "123.456789"},
		{"123.4567895", 6, "123.456790"},
		// nothing to round
		{"1.5", 2, "1.5"},
		{"7", 2, "7"},
		{"0", 2, "0"},
		{"-3.14", 2, "-3.14"},
		// to zero decimals (JPY)
		{"1234.49", 0, "1234"},
		{"1234.5", 0, "1235"},
		{"0.4", 0, "0"},
		{"-0.4", 0, "0"},
	}
	for _, tt := range tests {
		got := MustParse(tt.in).RoundHalfUp(tt.scale)
		if !got.Equal(MustParse(tt.want)) {
			t.Errorf("RoundHalfUp(%s, %d) = %s, want %s", tt.in, tt.scale, got, tt.want)
		}
		if got.Scale() > tt.scale {
			t.Errorf("RoundHalfUp(%s, %d) has scale %d", tt.in, tt.scale, got.Scale())
		}
	}
}

func TestRoundCurrency(t *testing.T) {
	tests := []struct{ in, cur, want string }{
		{"1.425", "USD", "1.43"},
		{"1.425", "EUR", "1.43"},
		{"1.425", "GBP", "1.43"},
		{"1.425", "CHF", "1.43"},
		{"1.425", "AUD", "1.43"},
		{"1.425", "CAD", "1.43"},
		{"1.425", "usd", "1.43"},
		{"1.425", "", "1.43"},
		{"1.425", "XYZ", "1.43"},
		{"1424.5", "JPY", "1425"},
		{"1.4245", "KWD", "1.425"},
		{"1.4244", "BHD", "1.424"},
	}
	for _, tt := range tests {
		if got := MustParse(tt.in).Round(tt.cur); !got.Equal(MustParse(tt.want)) {
			t.Errorf("%s.Round(%q) = %s, want %s", tt.in, tt.cur, got, tt.want)
		}
	}
}

func TestPrecision(t *testing.T) {
	want := map[string]int{"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "CHF": 2, "AUD": 2, "CAD": 2,
		"KRW": 0, "KWD": 3, "BHD": 3, "CLF": 4, "": 2, "ZZZ": 2, "jpy": 0}
	for cur, p := range want {
		if got := Precision(cur); got != p {
			t.Errorf("Precision(%q) = %d, want %d", cur, got, p)
		}
	}
}

func TestParse(t *testing.T) {
	ok := map[string]string{
		"20.84": "20.84", "-1": "-1.0", "0": "0.0", "1.5e2": "150.0", "4.25": "4.25",
		"0.000125": "0.000125", "9999999999999": "9999999999999.0", "1.50": "1.5",
		"1.50000000000000000000000": "1.5", "0.1234567890123456789": "0.1234567890123456789",
	}
	for in, want := range ok {
		d, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if d.String() != want {
			t.Errorf("Parse(%q) = %s, want %s", in, d, want)
		}
	}
	for _, in := range []string{"", "abc", "1,5", " 1", "NaN", "Inf", "1e400",
		"12345678901234567890", "1e-20", "0.12345678901234567890123", "--1", "0x10"} {
		if d, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %s, want an error", in, d)
		}
	}
}

func TestString(t *testing.T) {
	tests := map[string]string{
		"199": "199.0", "0": "0.0", "0.00": "0.0", "20.840": "20.84", "-1.50": "-1.5",
		"1.9": "1.9", "0.000125": "0.000125", "100.000": "100.0",
	}
	for in, want := range tests {
		if got := MustParse(in).String(); got != want {
			t.Errorf("String(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	// 18.94 + 1.90 in float64 is 20.839999999999996; exact decimals print 20.84.
	sum := MustParse("18.94").Add(MustParse("1.90"))
	b, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "20.84" {
		t.Fatalf("Marshal(18.94+1.90) = %s, want 20.84", b)
	}
	for _, in := range []string{"20.84", "0.1", "0.2", "0.3", "1.425", "-4.75", "199.0", "0.000125",
		"9223372036854.775807", "1e2", `"10.0"`, `"4.25"`, `"-0.5"`} {
		var d Decimal
		if err := json.Unmarshal([]byte(in), &d); err != nil {
			t.Errorf("Unmarshal(%s): %v", in, err)
			continue
		}
		out, _ := json.Marshal(d)
		var back Decimal
		if err := json.Unmarshal(out, &back); err != nil || !back.Equal(d) {
			t.Errorf("round trip %s → %s → %s (%v)", in, out, back, err)
		}
		if _, err := strconv.ParseFloat(string(out), 64); err != nil {
			t.Errorf("Marshal(%s) = %s is not a JSON number", in, out)
		}
	}
	for _, in := range []string{`"abc"`, `true`, `{}`, `[]`, `"1e-20"`, `""`} {
		var d Decimal
		if err := json.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("Unmarshal(%s) = %s, want an error", in, d)
		}
	}
	d := MustParse("3")
	if err := json.Unmarshal([]byte("null"), &d); err != nil || !d.Equal(MustParse("3")) {
		t.Errorf("Unmarshal(null) changed the value to %s (%v)", d, err)
	}
}

func TestSumsNeverDrift(t *testing.T) {
	// a thousand cents add up to exactly ten, which float64 does not manage
	s := Zero
	for range 1000 {
		s = s.Add(MustParse("0.01"))
	}
	if b, _ := json.Marshal(s); string(b) != "10.0" {
		t.Fatalf("sum of 1000 × 0.01 = %s", b)
	}
}

func TestMicros(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"1", 1_000_000}, {"20.84", 20_840_000}, {"-1.5", -1_500_000},
		{"0.000125", 125}, {"0.0000005", 1}, {"-0.0000005", -1}, {"0.0000004", 0},
		{"9223372036854.775807", math.MaxInt64}, {"-9223372036854.775808", math.MinInt64},
		{"9223372036854", 9_223_372_036_854_000_000},
	}
	for _, tt := range tests {
		got, err := MustParse(tt.in).Micros()
		if err != nil || got != tt.want {
			t.Errorf("Micros(%s) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
		if err == nil && tt.in != "0.0000005" && tt.in != "-0.0000005" && tt.in != "0.0000004" {
			if back := FromMicros(got); !back.Equal(MustParse(tt.in)) {
				t.Errorf("FromMicros(Micros(%s)) = %s", tt.in, back)
			}
		}
	}
	for _, in := range []string{"9223372036854.775808", "-9223372036854.775809", "10000000000000",
		"-10000000000000", "9999999999999999999", "9223372036855"} {
		if m, err := MustParse(in).Micros(); !errors.Is(err, ErrOverflow) {
			t.Errorf("Micros(%s) = %d, %v; want ErrOverflow", in, m, err)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct{ a, p, want string }{
		{"4.25", "25", "1.0625"}, {"2", "25", "0.5"}, {"19", "25", "4.75"}, {"14.25", "10", "1.425"},
		{"100", "0", "0"}, {"100", "100", "100"}, {"-3", "10", "-0.3"}, {"0.01", "0.5", "0.00005"},
	}
	for _, tt := range tests {
		if got := MustParse(tt.a).Percent(MustParse(tt.p)); !got.Equal(MustParse(tt.want)) {
			t.Errorf("%s%% of %s = %s, want %s", tt.p, tt.a, got, tt.want)
		}
	}
}

func TestMulRatio(t *testing.T) {
	got, err := MustParse("30").MulRatio(17, 30)
	if err != nil || !got.Equal(MustParse("17")) {
		t.Errorf("30 × 17/30 = %s, %v", got, err)
	}
	got, _ = MustParse("4.25").MulRatio(10, 31)
	if r := got.Round("USD"); !r.Equal(MustParse("1.37")) {
		t.Errorf("4.25 × 10/31 rounded = %s, want 1.37", r)
	}
	if _, err := MustParse("1").MulRatio(1, 0); err == nil {
		t.Error("a zero denominator must fail")
	}
}

func TestAmountJSON(t *testing.T) {
	a := NewAmount(MustParse("308"), "USD")
	b, _ := json.Marshal(a)
	if string(b) != `{"value":308.0,"code":"USD"}` {
		t.Fatalf("Marshal = %s", b)
	}
	var back Amount
	if err := json.Unmarshal([]byte(`{"value": "10.0", "code": "USD"}`), &back); err != nil ||
		!back.Value.Equal(MustParse("10")) || back.Code != "USD" {
		t.Fatalf("Unmarshal string value = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"code": "USD"}`), &back); err == nil {
		t.Fatal("an amount without a value must fail")
	}
	if got := NewAmount(MustParse("1.425"), "USD"); got.String() != "1.43 USD" {
		t.Fatalf("NewAmount rounds: %s", got)
	}
	if got := NewAmount(MustParse("1424.5"), "JPY"); got.String() != "1425.0 JPY" {
		t.Fatalf("NewAmount JPY: %s", got)
	}
}

func TestMinMaxSumAbs(t *testing.T) {
	a, b := MustParse("1.5"), MustParse("-2")
	if !Min(a, b).Equal(b) || !Max(a, b).Equal(a) {
		t.Error("Min/Max")
	}
	if !Sum(a, b, MustParse("0.5")).IsZero() {
		t.Error("Sum")
	}
	if !b.Abs().Equal(MustParse("2")) || !MustParse("2.0").IsInt() || MustParse("2.5").IsInt() {
		t.Error("Abs/IsInt")
	}
}
