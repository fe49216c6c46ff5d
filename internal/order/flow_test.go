package order

import "testing"

func TestStatusOfEveryFlowStatus(t *testing.T) {
	want := map[FlowStatus]Status{
		New: NotStarted, Open: InProgress, WaitingPayment: InProgress, Provisioning: InProgress,
		NoPaymentMethod: Problem, PaymentDeclined: Problem, ProvisioningFailed: Problem, Hold: Problem,
		Completed: Done, Cancelled: Canceled,
	}
	for f, s := range want {
		if !f.Valid() {
			t.Errorf("%s not valid", f)
		}
		if got := StatusOf(f); got != s {
			t.Errorf("StatusOf(%s) = %s, want %s", f, got, s)
		}
	}
	if FlowStatus("XX").Valid() {
		t.Error("XX valid")
	}
}

func TestPushes(t *testing.T) {
	cases := []struct {
		from, to FlowStatus
		ok       bool
	}{
		{New, Open, true}, // the seed's cancellation push
		{New, Cancelled, true},
		{New, Completed, false},
		{ProvisioningFailed, Provisioning, true}, // resubmit
		{WaitingPayment, Provisioning, true},     // marked paid
		{Completed, Open, false},                 // terminal
		{Cancelled, Open, false},
		{Open, Completed, false}, // only processing completes orders
	}
	for _, c := range cases {
		if got := CanPush(c.from, c.to); got != c.ok {
			t.Errorf("CanPush(%s, %s) = %v, want %v", c.from, c.to, got, c.ok)
		}
	}
	if got := PushTargets(Completed); len(got) != 0 {
		t.Errorf("PushTargets(CP) = %v", got)
	}
	got := PushTargets(New)
	got[0] = Hold // a copy: must not change the table
	if PushTargets(New)[0] != Open {
		t.Error("PushTargets returned the table itself")
	}
}
