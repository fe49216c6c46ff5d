package order

import "testing"

func TestParseEventText(t *testing.T) {
	got := ParseEventText(" GateID=4;IssuedSuccessfully=1;Message=Operations Automation service is created.; OrderItemID = 1000042 ;SubscrID=oss-7;junk;Other=x")
	want := EventParams{GateID: "4", IssuedSuccessfully: "1", Message: "Operations Automation service is created.",
		OrderItemID: "1000042", SubscrID: "oss-7"}
	if got != want {
		t.Errorf("ParseEventText = %+v, want %+v", got, want)
	}
	if got := ParseEventText("Event=Creation Completed;Message=a=b"); got.Event != "Creation Completed" || got.Message != "a=b" {
		t.Errorf("ParseEventText = %+v", got)
	}
}
