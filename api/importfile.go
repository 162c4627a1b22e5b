package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// readImportFile reads an import's whole body (a workbook is parsed from
// memory), within the server's body limit. Errors: TooLarge over the
// limit; Invalid when the body breaks off.
func readImportFile(c *gin.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, apperr.Newf(apperr.TooLarge, "导入文件超过 %d 字节上限", "the import file exceeds the %d-byte limit", tooBig.Limit)
	} else if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "读取导入文件失败", "could not read the import file")
	}
	return body, nil
}
