package panel

import (
	"net/url"
)

// PanelOrderRQL is the order list page's RQL for a form, for the tests.
func PanelOrderRQL(v url.Values) (string, error) {
	return readOrderFilter(v).rql(pageSize + 1)
}
